import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { createTestDatabase } from '../../../test/support/test-services';
import { verifyAuditChain } from './audit-chain';
import { formatAuditCheckpoint, signAuditCheckpoint } from './audit-checkpoint';
import { appendAuditCheckpoint, readAuditCheckpointFile, readAuditHead } from './audit-checkpoint-file';

const KEY = 'test-checkpoint-key-0123456789abcdef';

/**
 * An owner (here a superuser) can rewrite audit_log in ways the chain alone cannot show: cut its tail,
 * truncate it, or rewrite an entry and recompute every hash after it. The signed checkpoints kept outside
 * the database show each of them.
 */
describe('audit log checkpoints: tampering by the database owner is detected', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'rpm-audit-checkpoints-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  async function auditedDatabase(entries: number) {
    const databaseUrl = await createTestDatabase();
    const pool = new Pool({ connectionString: databaseUrl, max: 4 });
    const append = async (count: number) => {
      for (let n = 0; n < count; n++) {
        await pool.query(`INSERT INTO audit_log (user_id, action, patient_id, outcome, request_id) VALUES ($1, 'patients.readings', $2, 'allowed', $3)`, [
          randomUUID(),
          randomUUID(),
          `req-${randomUUID()}`,
        ]);
      }
    };
    const file = path.join(directory, `${randomUUID()}.jsonl`);
    const checkpoint = async () => appendAuditCheckpoint(file, KEY, await readAuditHead(async (sql, parameters) => (await pool.query(sql, parameters)).rows));
    await append(entries);
    const verify = async () => verifyAuditChain(databaseUrl, { checkpoints: { parsed: await readAuditCheckpointFile(file), key: KEY } });
    const cli = (env: Record<string, string> = {}) =>
      spawnSync(process.execPath, [path.resolve(__dirname, '../../../dist/scripts/audit-verify.js')], {
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, AUDIT_CHECKPOINT_FILE: file, AUDIT_CHECKPOINT_KEY: KEY, ...env },
        encoding: 'utf8',
      });
    return { databaseUrl, pool, append, file, checkpoint, verify, cli };
  }

  it('an untouched log agrees with every checkpoint, including one taken while it was empty', async () => {
    const log = await auditedDatabase(0);
    await log.checkpoint();
    await log.append(10);
    await log.checkpoint();
    await log.append(5);
    await log.checkpoint();
    expect(await log.verify()).toEqual({ entries: 15, checkpoints: { checked: 3, problems: [] } });
    const cli = log.cli();
    expect(cli.stdout).toContain('audit log intact: 15 entries verified, consistent with 3 signed checkpoints');
    expect(cli.status).toBe(0);
    await log.pool.end();
  });

  it('detects the newest entries deleted behind the trigger', async () => {
    const log = await auditedDatabase(20);
    await log.checkpoint();
    await log.pool.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await log.pool.query('DELETE FROM audit_log WHERE seq > 16');
    await log.pool.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');

    expect(await verifyAuditChain(log.databaseUrl)).toEqual({ entries: 16 }); // the chain alone cannot tell
    const verdict = await log.verify();
    expect(verdict.checkpoints?.problems).toEqual([
      expect.stringMatching(/^checkpoint line 1 \(.+, entry 20\): the log now ends at entry 16: entries after it were deleted$/),
    ]);
    const cli = log.cli();
    expect(cli.status).toBe(1);
    expect(cli.stdout).toContain('audit log TAMPERED: checkpoint line 1');
    expect(cli.stdout).toContain('entries after it were deleted');
    await log.pool.end();
  });

  it('detects a truncated log', async () => {
    const log = await auditedDatabase(12);
    await log.checkpoint();
    await log.pool.query('TRUNCATE audit_log');

    expect(await verifyAuditChain(log.databaseUrl)).toEqual({ entries: 0 });
    const cli = log.cli();
    expect(cli.status).toBe(1);
    expect(cli.stdout).toMatch(/TAMPERED: checkpoint line 1 .*the log is empty now, but held 12 entries then: audit_log was truncated/);
    await log.pool.end();
  });

  it('detects the tail deleted and then refilled to the same length', async () => {
    const log = await auditedDatabase(10);
    await log.checkpoint();
    await log.pool.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await log.pool.query('DELETE FROM audit_log WHERE seq > 7');
    await log.pool.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    await log.append(3);

    expect(await verifyAuditChain(log.databaseUrl)).toEqual({ entries: 10 });
    expect((await log.verify()).checkpoints?.problems).toEqual([
      expect.stringContaining('entry 10 now has another hash: the chain was rewritten and recomputed'),
    ]);
    await log.pool.end();
  });

  it('detects an entry rewritten and the whole chain recomputed consistently', async () => {
    const log = await auditedDatabase(15);
    await log.checkpoint();
    await log.pool.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
    await log.pool.query(`UPDATE audit_log SET action = 'patients.list', patient_id = NULL WHERE seq = 3`);
    // What the trigger does, replayed by hand over every entry from the rewritten one on.
    await log.pool.query(`
      DO $$ DECLARE entry record; previous text; BEGIN
        SELECT hash INTO previous FROM audit_log WHERE seq = 2;
        FOR entry IN SELECT id FROM audit_log WHERE seq >= 3 ORDER BY seq LOOP
          UPDATE audit_log SET prev_hash = previous WHERE id = entry.id;
          UPDATE audit_log a SET hash = encode(sha256(convert_to(audit_log_canonical(a), 'UTF8')), 'hex') WHERE id = entry.id RETURNING hash INTO previous;
        END LOOP;
      END $$`);
    await log.pool.query('ALTER TABLE audit_log ENABLE TRIGGER USER');

    expect(await verifyAuditChain(log.databaseUrl)).toEqual({ entries: 15 }); // consistent in itself
    const cli = log.cli();
    expect(cli.status).toBe(1);
    expect(cli.stdout).toMatch(/TAMPERED: checkpoint line 1 .*entry 15\): entry 15 now has another hash: the chain was rewritten and recomputed/);
    await log.pool.end();
  });

  it('detects a forged checkpoint, an edited one and a line that is not one', async () => {
    const log = await auditedDatabase(6);
    const genuine = await log.checkpoint();
    appendFileSync(
      log.file,
      formatAuditCheckpoint(signAuditCheckpoint({ seq: 6, hash: genuine.hash, count: 6 }, 'a-guessed-key-that-is-not-the-one', new Date())),
    );
    appendFileSync(log.file, formatAuditCheckpoint({ ...genuine, seq: 5 }));
    appendFileSync(log.file, 'not json\n');

    const problems = (await log.verify()).checkpoints?.problems;
    expect(problems).toEqual([
      'checkpoint line 4 is not a checkpoint (the file was edited)',
      expect.stringMatching(/^checkpoint line 2 .* has a bad signature: forged, altered, or signed with another AUDIT_CHECKPOINT_KEY$/),
      expect.stringMatching(/^checkpoint line 3 .* has a bad signature/),
    ]);
    const cli = log.cli();
    expect(cli.status).toBe(1);
    expect(cli.stdout).toContain('checkpoint line 2');
    await log.pool.end();
  });

  it('reports a checkpoint file that was deleted or emptied', async () => {
    const log = await auditedDatabase(3);
    const missing = log.cli();
    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain(`the checkpoint file ${log.file} does not exist`);
    appendFileSync(log.file, '');
    const emptied = log.cli();
    expect(emptied.status).toBe(1);
    expect(emptied.stdout).toContain('holds no checkpoint');
    await log.pool.end();
  });
});
