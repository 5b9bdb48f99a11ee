import type { DataSource } from 'typeorm';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { createTestDatabase } from '../../../../test/support/test-services';
import { createDataSource } from '../data-source';
import { AlertRepository } from './alert.repository';
import { CareTeamScope } from './care-team-scope';
import { PatientRepository } from './patient.repository';

/**
 * The "medium" tier: repositories against a real, migrated PostgreSQL, in process, without starting an app.
 * Faster than the e2e specs and closer to the data than unit specs.
 */
describe('repositories on real PostgreSQL', () => {
  let dataSource: DataSource;
  let ours: ClinicFixture;
  let theirs: ClinicFixture;
  let doctorId: string;

  const userIdOf = async (email: string): Promise<string> => (await dataSource.query('SELECT id FROM users WHERE email = $1', [email]))[0].id;

  async function openAlert(
    patientId: string,
    ruleId: string,
    fields: { severity?: string; retrospective?: boolean; createdAgoSeconds?: number } = {},
  ): Promise<string> {
    const [{ id }] = await dataSource.query(
      `INSERT INTO alerts (patient_id, rule_id, rule_version, severity, status, title, reason, readings, opened_at, last_reading_at, retrospective, created_at)
       VALUES ($1, $2, 1, $3, 'open', 'title', 'reason', '[]', now(), now(), $4, now() - make_interval(secs => $5)) RETURNING id`,
      [patientId, ruleId, fields.severity ?? 'urgent', fields.retrospective ?? false, fields.createdAgoSeconds ?? 0],
    );
    return id;
  }

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    dataSource = await createDataSource(databaseUrl).initialize();
    ours = await createClinic(databaseUrl, 'ours');
    theirs = await createClinic(databaseUrl, 'theirs');
    doctorId = await userIdOf(ours.doctor.email);
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  describe('CareTeamScope', () => {
    it('lets a clinician see the patients of their care teams, and no one else', async () => {
      const scope = new CareTeamScope(dataSource);
      expect(await scope.canSee(doctorId, ours.patientId)).toBe(true);
      expect(await scope.canSee(doctorId, theirs.patientId)).toBe(false);
      expect(await scope.patientIds(doctorId)).toEqual([ours.patientId]);
      expect(await scope.countPatients(doctorId)).toBe(1);
    });

    it("keeps a patient outside the caller's teams out of the worklist, and their clinicians out of the alert mail", async () => {
      const rows = await new PatientRepository(dataSource).worklistPage(doctorId, 50, 0);
      expect(rows.map((row) => row.id)).toEqual([ours.patientId]);
      expect(rows[0].total).toBe(1);
      expect(await new CareTeamScope(dataSource).clinicianEmails(theirs.patientId)).toEqual([theirs.doctor.email]);
    });

    it("sees a patient as soon as the clinician joins that patient's team", async () => {
      const scope = new CareTeamScope(dataSource);
      const nurse = await dataSource.query(
        `INSERT INTO users (email, display_name, role, password_hash) VALUES ('nurse.scope@example.org', 'Nurse', 'nurse', 'x') RETURNING id`,
      );
      expect(await scope.canSee(nurse[0].id, theirs.patientId)).toBe(false);
      await dataSource.query('INSERT INTO care_team_members VALUES ($1, $2)', [theirs.careTeamId, nurse[0].id]);
      expect(await scope.canSee(nurse[0].id, theirs.patientId)).toBe(true);
      expect(await scope.canSee(nurse[0].id, ours.patientId)).toBe(false);
    });
  });

  describe('AlertRepository', () => {
    it('acknowledges an alert of the patient named, and refuses one of another patient without touching it', async () => {
      const alerts = new AlertRepository(dataSource);
      const mine = await openAlert(ours.patientId, 'bp.high');
      const other = await openAlert(theirs.patientId, 'bp.high');

      const acknowledged = await alerts.acknowledge(ours.patientId, mine, doctorId);
      expect(acknowledged).toEqual(expect.objectContaining({ id: mine, status: 'acknowledged', acknowledgedBy: doctorId }));
      expect(await alerts.acknowledge(ours.patientId, other, doctorId)).toBeNull();
      expect((await alerts.liveOfPatient(theirs.patientId)).find((alert) => alert.id === other)?.status).toBe('open');
      // A resolved alert is not reopened by a late acknowledgement.
      await alerts.resolve(ours.patientId, mine, doctorId, 'seen in clinic');
      expect((await alerts.acknowledge(ours.patientId, mine, doctorId))?.status).toBe('resolved');
    });

    it('reopens an alert whose snooze has ended, and escalates an unacknowledged one exactly once', async () => {
      const alerts = new AlertRepository(dataSource);
      const snoozed = await openAlert(ours.patientId, 'glucose.low', { createdAgoSeconds: 3600 });
      await alerts.snooze(ours.patientId, snoozed, 1);
      await dataSource.query(`UPDATE alerts SET snoozed_until = now() - interval '1 second' WHERE id = $1`, [snoozed]);

      await alerts.reopenElapsedSnoozes();
      const escalated = await alerts.escalateUnacknowledged({ urgent: 900, warning: 4 * 3600 });

      expect(escalated).toContain(snoozed);
      expect(await alerts.escalateUnacknowledged({ urgent: 900, warning: 4 * 3600 })).not.toContain(snoozed);
      expect((await alerts.liveOfPatient(ours.patientId)).find((alert) => alert.id === snoozed)).toEqual(
        expect.objectContaining({ status: 'open', snoozedUntil: null }),
      );
    });

    it('counts the alert load of a period without retrospective alerts', async () => {
      const alerts = new AlertRepository(dataSource);
      const since = new Date(Date.now() - 60_000);
      const before = await alerts.loadOpenedBetween(theirs.patientId, since, new Date(Date.now() + 60_000));
      await openAlert(theirs.patientId, 'glucose.high', { severity: 'warning' });
      await openAlert(theirs.patientId, 'glucose.tir_low', { severity: 'urgent', retrospective: true });
      const after = await alerts.loadOpenedBetween(theirs.patientId, since, new Date(Date.now() + 60_000));
      expect(after).toEqual({ urgent: before.urgent, warning: before.warning + 1 });
    });

    it('keeps comments with their author and in time order', async () => {
      const alerts = new AlertRepository(dataSource);
      const alertId = await openAlert(ours.patientId, 'weight.gain');
      await alerts.addComment(alertId, doctorId, 'called the patient');
      await alerts.addComment(alertId, doctorId, 'diuretic increased');
      expect((await alerts.comments(alertId)).map((comment) => [comment.text, comment.authorName])).toEqual([
        ['called the patient', 'Dr ours'],
        ['diuretic increased', 'Dr ours'],
      ]);
      expect(await alerts.existsForPatient(theirs.patientId, alertId)).toBe(false);
    });
  });
});
