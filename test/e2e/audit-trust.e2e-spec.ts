import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { SimulatedDevice } from '../../device-simulators/src/simulated-device';
import { ApiClient } from '../support/api-client';
import { createAdmin, createClinic, type ClinicFixture } from '../support/fixtures';
import { PlatformProcess } from '../support/platform-process';
import { repoRoot } from '../support/repo-root';
import { applicationRoleUrl, createTestDatabase } from '../support/test-services';
import { waitFor } from '../support/wait-for';

async function asOwner<T>(url: string, sql: string, parameters: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, parameters)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * The platform as deployed with least privilege: the launcher migrates as the owner (DATABASE_MIGRATION_URL)
 * and the three apps connect as a role that may only append to the audit log; the API anchors the chain in
 * signed checkpoints under DATA_DIR that `audit:verify` checks.
 */
describe('an audit log the apps cannot rewrite, anchored outside the database', () => {
  let ownerUrl: string;
  let appUrl: string;
  let platform: PlatformProcess;
  let clinic: ClinicFixture;
  let admin: ApiClient;

  const verify = () =>
    spawnSync(process.execPath, [path.join(repoRoot(), 'dist/scripts/audit-verify.js')], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: appUrl, DATA_DIR: platform.dataDir },
      encoding: 'utf8',
    });
  const checkpointFile = () => path.join(platform.dataDir, 'audit-checkpoints.jsonl');
  const checkpointedSeqs = () =>
    existsSync(checkpointFile())
      ? readFileSync(checkpointFile(), 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((line) => (JSON.parse(line) as { seq: number }).seq)
      : [];

  beforeAll(async () => {
    ownerUrl = await createTestDatabase();
    appUrl = await applicationRoleUrl(ownerUrl);
    clinic = await createClinic(ownerUrl, 'audited');
    const adminAccount = await createAdmin(ownerUrl);
    platform = await PlatformProcess.start({
      DATABASE_URL: appUrl,
      DATABASE_MIGRATION_URL: ownerUrl,
      DEMO_SEED: 'false',
      AUDIT_CHECKPOINT_INTERVAL_SECONDS: '1',
    });
    admin = await ApiClient.login(platform.httpUrl, adminAccount.email, adminAccount.password);
  }, 120_000);
  afterAll(() => platform?.stop());

  it('runs gateway, alerting and API as the application role: a low reading is stored, alerted and acknowledged', async () => {
    expect(platform.log).not.toContain('could rewrite the audit log');
    const device = await SimulatedDevice.connect(platform.mqttUrl, clinic.device);
    try {
      await device.publish({ metric: 'glucose', value: 45, unit: 'mg/dL', source: 'meter', measuredAt: new Date(Date.now() - 30_000).toISOString(), seq: 1 });
    } finally {
      await device.close();
    }
    const doctor = await ApiClient.login(platform.httpUrl, clinic.doctor.email, clinic.doctor.password);
    const patientPath = `/patients/${clinic.patientId}`;
    const [alert] = await waitFor('the hypoglycaemia alert', async () => {
      const { body } = await doctor.get<{ alerts: { id: string; ruleId: string }[] }>(`${patientPath}/alerts?status=open`);
      return body.alerts.length > 0 ? body.alerts : undefined;
    });
    expect(alert.ruleId).toBe('glucose.level2_hypo');
    expect((await doctor.post(`${patientPath}/alerts/${alert.id}/acknowledge`)).status).toBe(200);
    expect((await doctor.get<{ readings: unknown[] }>(`${patientPath}/readings?metric=glucose`)).body.readings).toHaveLength(1);

    // Every connection the apps hold to this database is the application role's.
    const appLogin = new URL(appUrl).username;
    const sessions = await asOwner<{ usename: string }>(
      ownerUrl,
      'SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    expect(sessions).toEqual([{ usename: appLogin }]);
  });

  it("records administrators' actions: who created which account, care team, membership and patient", async () => {
    const team = await admin.post<{ id: string }>('/admin/care-teams', { name: 'Night team' });
    const nurse = await admin.post<{ id: string }>('/admin/users', {
      email: 'night.nurse@example.org',
      displayName: 'Night Nurse',
      role: 'nurse',
      password: 'a-secret-never-audited',
    });
    expect((await admin.post(`/admin/care-teams/${team.body.id}/members`, { userId: nurse.body.id })).status).toBe(201);
    const patient = await admin.post<{ id: string }>('/admin/patients', { displayName: 'New Patient', programme: 'diabetes', careTeamId: team.body.id });
    expect(patient.status).toBe(201);

    const entries = await asOwner<Record<string, string | null>>(
      ownerUrl,
      `SELECT a.action, a.subject, a.patient_id, a.outcome, u.role AS actor_role, a.at IS NOT NULL AS dated
       FROM audit_log a JOIN users u ON u.id = a.user_id WHERE a.action LIKE 'admin.%' ORDER BY a.seq`,
    );
    expect(entries).toEqual([
      { action: 'admin.care-teams.create', subject: `care-team:${team.body.id}`, patient_id: null, outcome: 'allowed', actor_role: 'admin', dated: true },
      { action: 'admin.users.create', subject: `user:${nurse.body.id} role:nurse`, patient_id: null, outcome: 'allowed', actor_role: 'admin', dated: true },
      {
        action: 'admin.care-teams.members.add',
        subject: `care-team:${team.body.id} user:${nurse.body.id}`,
        patient_id: null,
        outcome: 'allowed',
        actor_role: 'admin',
        dated: true,
      },
      {
        action: 'admin.patients.create',
        subject: `care-team:${team.body.id}`,
        patient_id: patient.body.id,
        outcome: 'allowed',
        actor_role: 'admin',
        dated: true,
      },
    ]);
    const everything = JSON.stringify(await asOwner(ownerUrl, 'SELECT * FROM audit_log'));
    expect(everything).not.toContain('a-secret-never-audited');
    expect(everything).not.toContain('night.nurse@example.org');
  });

  it('keeps signed checkpoints that audit:verify checks, and notices when the owner cuts the tail', async () => {
    const [{ head }] = await asOwner<{ head: string }>(ownerUrl, 'SELECT max(seq) AS head FROM audit_log');
    await waitFor('a checkpoint of the current head', async () => (checkpointedSeqs().includes(Number(head)) ? true : undefined), 20_000);
    const intact = verify();
    expect(intact.stdout).toMatch(/audit log intact: \d+ entries verified, consistent with \d+ signed checkpoints/);
    expect(intact.status).toBe(0);

    await asOwner(ownerUrl, 'ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await asOwner(ownerUrl, 'DELETE FROM audit_log WHERE seq > $1', [Number(head) - 2]);
    await asOwner(ownerUrl, 'ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    const cut = verify();
    expect(cut.status).toBe(1);
    expect(cut.stdout).toContain(`the log now ends at entry ${Number(head) - 2}: entries after it were deleted`);
    // The API notices too, at its next checkpoint.
    await waitFor(
      'the API to report the rewrite',
      async () => (platform.log.includes('the audit log no longer matches the checkpoint') ? true : undefined),
      20_000,
    );
  });
});
