import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { applicationRoleUrl, createTestDatabase } from '../../../test/support/test-services';
import { verifyAuditChain } from './audit-chain';
import { auditLogRisks } from './database-roles';

async function query(url: string, sql: string, parameters: unknown[] = []) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql, parameters);
  } finally {
    await client.end();
  }
}

const appendEntry = (url: string, n: number) =>
  query(url, `INSERT INTO audit_log (user_id, action, patient_id, outcome, request_id) VALUES ($1, 'patients.readings', $2, 'allowed', $3)`, [
    randomUUID(),
    randomUUID(),
    `req-${n}`,
  ]);

describe('database roles: the apps connect as a role that can only append to the audit log', () => {
  let ownerUrl: string;
  let appUrl: string;

  beforeAll(async () => {
    ownerUrl = await createTestDatabase();
    appUrl = await applicationRoleUrl(ownerUrl);
    for (let n = 0; n < 5; n++) await appendEntry(appUrl, n);
  });

  it('appends to and reads the audit log, and the chain verifies', async () => {
    expect((await query(appUrl, 'SELECT count(*)::int AS count FROM audit_log')).rows[0].count).toBe(5);
    expect(await verifyAuditChain(appUrl)).toEqual({ entries: 5 });
  });

  it.each([
    ['UPDATE', `UPDATE audit_log SET action = 'patients.list' WHERE seq = 2`, /permission denied/],
    ['DELETE', 'DELETE FROM audit_log WHERE seq = 5', /permission denied/],
    ['TRUNCATE', 'TRUNCATE audit_log', /permission denied/],
    ['DISABLE TRIGGER', 'ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only', /must be owner/],
    ['DISABLE TRIGGER ALL', 'ALTER TABLE audit_log DISABLE TRIGGER ALL', /must be owner/],
    ['DROP TRIGGER', 'DROP TRIGGER audit_log_chain ON audit_log', /must be owner/],
    ['DROP TABLE', 'DROP TABLE audit_log', /must be owner/],
    [
      'replacing the canonical text',
      `CREATE OR REPLACE FUNCTION audit_log_canonical(entry audit_log) RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$`,
      /must be owner|permission denied/,
    ],
    ['writing a server file', `COPY (SELECT 1) TO '/tmp/rpm-audit-overwrite'`, /permission denied|must be superuser|pg_write_server_files/],
    ['running migrations bookkeeping', 'DELETE FROM schema_migrations', /permission denied/],
  ])('refuses %s', async (_what, sql, refusal) => {
    await expect(query(appUrl, sql)).rejects.toThrow(refusal);
    expect(await verifyAuditChain(ownerUrl)).toEqual({ entries: 5 });
  });

  it('is not a superuser and owns nothing; the start-up check finds no risk in it, and three in the owner', async () => {
    const { rows } = await query(
      appUrl,
      `SELECT rolsuper, (SELECT count(*)::int FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user) AS owned FROM pg_roles WHERE rolname = current_user`,
    );
    expect(rows[0]).toEqual({ rolsuper: false, owned: 0 });
    expect(await auditLogRisks(appUrl)).toEqual([]);
    const ownerRisks = await auditLogRisks(ownerUrl);
    expect(ownerRisks.join('\n')).toMatch(/superuser[\s\S]*owns audit_log[\s\S]*may UPDATE, DELETE, TRUNCATE audit_log/);
  });

  it('works with a table a later migration adds (default privileges, sequence included), without being able to alter it', async () => {
    await query(ownerUrl, 'CREATE TABLE later_migration_table (id bigserial PRIMARY KEY, note text NOT NULL)');
    await query(appUrl, `INSERT INTO later_migration_table (note) VALUES ('written by the app role')`);
    await query(appUrl, `UPDATE later_migration_table SET note = 'changed'`);
    expect((await query(appUrl, 'SELECT note FROM later_migration_table')).rows).toEqual([{ note: 'changed' }]);
    await expect(query(appUrl, 'ALTER TABLE later_migration_table ADD COLUMN x int')).rejects.toThrow(/must be owner/);
    await expect(query(appUrl, 'CREATE TABLE app_made_table (id int)')).rejects.toThrow(/permission denied/);
  });
});
