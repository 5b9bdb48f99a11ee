import { parseArgs } from 'node:util';
import { Client } from 'pg';

const USAGE = `Usage: DATABASE_URL=postgres://... npm run quarantine -- <command>

  list [--all] [--json]      readings the time-series store refused, with its reason (--all: also those replayed)
  replay <id>... | --all     asks the gateway to put these readings back into its spool; within seconds they are
                             stored and announced to alerting, or quarantined again with the store's new reason

A reading lands in quarantine when the store refuses it for its content (a value or timestamp it cannot hold,
a field type conflict, a constraint). Remove the cause first (see the reason), then replay.
`;

interface QuarantinedRow {
  id: string;
  device_id: string;
  reading: { metric: string; measuredAt: string; seq: number | null; values: Record<string, number> };
  reason: string;
  store: string;
  attempts: number;
  quarantined_at: Date;
  replay_requested_at: Date | null;
  replayed_at: Date | null;
}

async function list(client: Client, all: boolean, asJson: boolean): Promise<void> {
  const { rows } = await client.query<QuarantinedRow>(
    `SELECT id, device_id, reading, reason, store, attempts, quarantined_at, replay_requested_at, replayed_at
       FROM quarantined_readings ${all ? '' : 'WHERE replayed_at IS NULL'} ORDER BY id`,
  );
  if (asJson) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  if (rows.length === 0) return void process.stdout.write(all ? 'the quarantine is empty\n' : 'no reading in quarantine\n');
  for (const row of rows) {
    const state = row.replayed_at ? `replayed ${row.replayed_at.toISOString()}` : row.replay_requested_at ? 'replay requested' : 'quarantined';
    process.stdout.write(
      `#${row.id} ${state} since ${row.quarantined_at.toISOString()} (attempt ${row.attempts}, ${row.store}): ` +
        `device ${row.device_id} ${row.reading.metric} ${JSON.stringify(row.reading.values)} measured ${row.reading.measuredAt} seq ${row.reading.seq ?? '-'}\n` +
        `    reason: ${row.reason}\n`,
    );
  }
}

async function replay(client: Client, ids: string[], all: boolean): Promise<number> {
  if (!all && ids.some((id) => !/^\d{1,18}$/.test(id))) {
    process.stderr.write(`quarantine: ids are the numbers shown by \`list\`, got ${ids.join(' ')}\n`);
    return 2;
  }
  const { rows } = await client.query<{ id: string }>(
    `UPDATE quarantined_readings SET replay_requested_at = now()
      WHERE replayed_at IS NULL ${all ? '' : 'AND id = ANY($1::bigint[])'} RETURNING id`,
    all ? [] : [ids],
  );
  const marked = new Set(rows.map((row) => row.id));
  process.stdout.write(`${marked.size} reading(s) marked for replay; the gateway takes them within seconds (check with \`list\`)\n`);
  const missing = ids.filter((id) => !marked.has(id));
  if (missing.length > 0) {
    process.stderr.write(`quarantine: no reading waiting in quarantine with id ${missing.join(', ')}\n`);
    return 1;
  }
  return 0;
}

/** `npm run quarantine`: lists and replays readings the gateway set aside because the store refused them. */
async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { all: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
  });
  const [command, ...ids] = positionals;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const valid = command === 'list' ? ids.length === 0 : command === 'replay' ? values.all !== ids.length > 0 : false;
  if (!databaseUrl || !valid) {
    process.stderr.write(`quarantine: ${databaseUrl ? 'unknown command or arguments' : 'DATABASE_URL is not set'}\n\n${USAGE}`);
    return 2;
  }
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    if (command === 'list') {
      await list(client, values.all, values.json);
      return 0;
    }
    return await replay(client, ids, values.all);
  } finally {
    await client.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`quarantine failed: ${error.message}\n`);
    process.exit(2);
  },
);
