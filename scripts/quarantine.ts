import { parseArgs } from 'node:util';
import { QuarantineRepository, createDataSource } from '@rpm/persistence';

const USAGE = `Usage: DATABASE_URL=postgres://... npm run quarantine -- <command>

  list [--all] [--json]      readings the time-series store refused, with its reason (--all: also those replayed)
  replay <id>... | --all     asks the gateway to put these readings back into its spool; within seconds they are
                             stored and announced to alerting, or quarantined again with the store's new reason

A reading lands in quarantine when the store refuses it for its content (a value or timestamp it cannot hold,
a field type conflict, a constraint). Remove the cause first (see the reason), then replay.
`;

async function list(quarantine: QuarantineRepository, all: boolean, asJson: boolean): Promise<void> {
  const rows = await quarantine.list(all);
  if (asJson) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  if (rows.length === 0) return void process.stdout.write(all ? 'the quarantine is empty\n' : 'no reading in quarantine\n');
  for (const row of rows) {
    const state = row.replayedAt ? `replayed ${row.replayedAt.toISOString()}` : row.replayRequestedAt ? 'replay requested' : 'quarantined';
    process.stdout.write(
      `#${row.id} ${state} since ${row.quarantinedAt.toISOString()} (attempt ${row.attempts}, ${row.store}): ` +
        `device ${row.deviceId} ${row.reading.metric} ${JSON.stringify(row.reading.values)} measured ${row.reading.measuredAt} seq ${row.reading.seq ?? '-'}\n` +
        `    reason: ${row.reason}\n`,
    );
  }
}

async function replay(quarantine: QuarantineRepository, ids: string[], all: boolean): Promise<number> {
  if (!all && ids.some((id) => !/^\d{1,18}$/.test(id))) {
    process.stderr.write(`quarantine: ids are the numbers shown by \`list\`, got ${ids.join(' ')}\n`);
    return 2;
  }
  const marked = new Set(await quarantine.requestReplay(all ? 'all' : ids));
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
  const dataSource = await createDataSource(databaseUrl).initialize();
  const quarantine = new QuarantineRepository(dataSource);
  try {
    if (command === 'list') {
      await list(quarantine, values.all, values.json);
      return 0;
    }
    return await replay(quarantine, ids, values.all);
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`quarantine failed: ${error.message}\n`);
    process.exit(2);
  },
);
