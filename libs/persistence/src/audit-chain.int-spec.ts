import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Pool } from 'pg';
import { createTestDatabase } from '../../../test/support/test-services';
import { verifyAuditChain } from './audit-chain';

describe('audit log: append-only, hash-chained, verifiable', () => {
  let databaseUrl: string;
  let pool: Pool;
  const verifyCli = () =>
    spawnSync(process.execPath, [path.resolve(__dirname, '../../../dist/scripts/audit-verify.js')], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl },
      encoding: 'utf8',
    });

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    pool = new Pool({ connectionString: databaseUrl, max: 8 });
    // Concurrent appends from several connections, as several API instances write them.
    await Promise.all(
      Array.from({ length: 60 }, (_, n) =>
        pool.query(`INSERT INTO audit_log (user_id, action, patient_id, outcome, request_id) VALUES ($1, $2, $3, $4, $5)`, [
          randomUUID(),
          n % 2 ? 'patients.readings' : 'alerts.acknowledge',
          randomUUID(),
          n % 7 ? 'allowed' : 'denied',
          `req-${n}`,
        ]),
      ),
    );
  });
  afterAll(() => pool.end());

  it('verifies an intact chain of concurrent appends', async () => {
    expect(await verifyAuditChain(databaseUrl)).toEqual({ entries: 60 });
    const cli = verifyCli();
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain('audit log intact: 60 entries verified');
  });

  it('refuses to change or delete an entry', async () => {
    await expect(pool.query(`UPDATE audit_log SET outcome = 'allowed' WHERE seq = 7`)).rejects.toThrow('audit_log is append-only');
    await expect(pool.query('DELETE FROM audit_log WHERE seq = 7')).rejects.toThrow('audit_log is append-only');
  });

  it('finds an entry rewritten behind its back (trigger disabled by a superuser)', async () => {
    await pool.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await pool.query(`UPDATE audit_log SET action = 'patients.list' WHERE seq = 7`);
    await pool.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    expect(await verifyAuditChain(databaseUrl)).toEqual({ entries: 6, brokenAt: { seq: 7, problem: 'its content does not match its hash' } });
    const cli = verifyCli();
    expect(cli.status).toBe(1);
    expect(cli.stdout).toContain('audit log BROKEN at entry 7');
  });
});
