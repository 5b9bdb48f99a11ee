import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { createTestDatabase } from '../../../../test/support/test-services';
import { createDataSource } from '../data-source';
import { AlertRepository, type EpisodeFiring } from './alert.repository';

const T0 = Date.parse('2026-11-22T08:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

/** A firing of one rule of the episode, as of `minutes`. */
function firing(episode: string, ruleId: string, severity: string, minutes: number, fields: Partial<EpisodeFiring> = {}): EpisodeFiring {
  return {
    episode,
    ruleId,
    ruleVersion: 1,
    rule: { id: ruleId, severity },
    severity,
    title: `title of ${ruleId}`,
    reason: `reason of ${ruleId} at ${minutes}`,
    readings: [{ deviceId: 'd', metric: 'glucose', measuredAt: at(minutes), seq: null, values: { value: minutes }, unit: 'mg/dL' }],
    openedAt: at(minutes),
    asOf: at(minutes),
    retrospective: false,
    ...fields,
  };
}

/** The alert episodes the alerting evaluator writes (AlertRepository.recordFiring, liveEpisodes, resolveRecovered), on a real migrated PostgreSQL. */
describe('alert episodes on real PostgreSQL', () => {
  let databaseUrl: string;
  let dataSource: DataSource;
  let alerts: AlertRepository;
  let clinic: ClinicFixture;
  let patientId: string;

  const rowsOf = (episode: string) =>
    dataSource.query(
      `SELECT id, rule_id, severity, status, title, reason, jsonb_array_length(readings) AS readings, severity_changes, opened_at, raised_at, resolution
         FROM alerts WHERE patient_id = $1 AND episode = $2 ORDER BY created_at, id`,
      [patientId, episode],
    );

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    dataSource = await createDataSource(databaseUrl).initialize();
    alerts = new AlertRepository(dataSource);
    clinic = await createClinic(databaseUrl, 'episodes');
  });

  beforeEach(async () => {
    // A patient of their own per test: episodes are per patient.
    const [{ id }] = await dataSource.query(`INSERT INTO patients (display_name, programme, care_team_id) VALUES ('P', 'diabetes', $1) RETURNING id`, [
      clinic.careTeamId,
    ]);
    patientId = id;
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  it('opens one alert per episode: a second rule of the same severity extends it (systolic and diastolic crisis)', async () => {
    expect(await alerts.recordFiring(patientId, firing('bp-crisis', 'bp.crisis_systolic', 'urgent', 0))).toEqual(expect.objectContaining({ kind: 'opened' }));
    expect(await alerts.recordFiring(patientId, firing('bp-crisis', 'bp.crisis_diastolic', 'urgent', 0))).toBeNull();
    expect(await alerts.recordFiring(patientId, firing('bp-crisis', 'bp.crisis_diastolic', 'urgent', 5))).toBeNull();
    const rows = await rowsOf('bp-crisis');
    expect(rows).toEqual([expect.objectContaining({ rule_id: 'bp.crisis_systolic', severity: 'urgent', status: 'open', readings: 2 })]);
    // The newest reason of an equally severe rule is the one shown.
    expect(rows[0].reason).toBe('reason of bp.crisis_diastolic at 5');
    expect((await alerts.liveEpisodes([patientId])).get(patientId)).toEqual(new Set(['bp-crisis']));
  });

  it('raises the live alert when a more severe rule of the episode fires, and records the raise', async () => {
    const opened = await alerts.recordFiring(patientId, firing('glucose-low', 'glucose.level1_hypo', 'warning', 0));
    const openedId = opened?.alertId;
    await dataSource.query(`UPDATE alerts SET status = 'acknowledged', acknowledged_at = now() WHERE id = $1`, [openedId]);

    const raised = await alerts.recordFiring(patientId, firing('glucose-low', 'glucose.level2_hypo', 'urgent', 10));
    expect(raised).toEqual({ kind: 'raised', alertId: openedId, retrospective: false, from: 'warning', to: 'urgent' });
    const [row] = await rowsOf('glucose-low');
    expect(row).toEqual(
      expect.objectContaining({
        id: openedId,
        rule_id: 'glucose.level2_hypo',
        severity: 'urgent',
        title: 'title of glucose.level2_hypo',
        reason: 'reason of glucose.level2_hypo at 10',
        // What was acknowledged was a warning: the urgent alert is open again.
        status: 'open',
        readings: 2,
      }),
    );
    expect(row.opened_at.toISOString()).toBe(at(0));
    expect(row.severity_changes).toEqual([
      expect.objectContaining({ asOf: at(10), from: 'warning', to: 'urgent', ruleId: 'glucose.level2_hypo', ruleVersion: 1, at: expect.any(String) }),
    ]);

    // A less severe firing afterwards (3.6 mmol/L while level 2 is in its hysteresis band) opens nothing and keeps the urgent title.
    expect(await alerts.recordFiring(patientId, firing('glucose-low', 'glucose.level1_hypo', 'warning', 20))).toBeNull();
    const rows = await rowsOf('glucose-low');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toEqual(
      expect.objectContaining({ severity: 'urgent', rule_id: 'glucose.level2_hypo', reason: 'reason of glucose.level2_hypo at 10', readings: 3 }),
    );
  });

  it('resolves the episode on recovery; a replay inside it opens nothing, a later firing opens a new alert', async () => {
    await alerts.recordFiring(patientId, firing('glucose-low', 'glucose.level2_hypo', 'urgent', 0));
    await alerts.resolveRecovered(patientId, 'glucose-low', at(30));
    expect((await alerts.liveEpisodes([patientId])).get(patientId)).toBeUndefined();
    // A redelivered reading of the resolved episode, by any rule of it.
    expect(await alerts.recordFiring(patientId, firing('glucose-low', 'glucose.level1_hypo', 'warning', 15))).toBeNull();
    expect(await alerts.recordFiring(patientId, firing('glucose-low', 'glucose.level1_hypo', 'warning', 45))).toEqual(
      expect.objectContaining({ kind: 'opened' }),
    );
    expect((await rowsOf('glucose-low')).map((row: { status: string }) => row.status)).toEqual(['resolved', 'open']);
  });

  it('a late firing measured up to 15 minutes before a resolved episode opened joins it (readings out of order after a gateway failover); one 16 minutes before opens its own', async () => {
    await alerts.recordFiring(patientId, firing('glucose-low', 'glucose.level1_hypo', 'warning', 100));
    await alerts.resolveRecovered(patientId, 'glucose-low', at(130));
    expect(await alerts.recordFiring(patientId, firing('glucose-low', 'glucose.level1_hypo', 'warning', 85))).toBeNull();
    expect(await alerts.recordFiring(patientId, firing('glucose-low', 'glucose.level1_hypo', 'warning', 84))).toEqual(
      expect.objectContaining({ kind: 'opened' }),
    );
  });

  it('after a clinician resolves an alert while the condition persists, a reading measured after the resolve opens a new one; a late one from before does not', async () => {
    const opened = await alerts.recordFiring(patientId, firing('glucose-high', 'glucose.level2_hyper', 'warning', 0));
    // The clinician resolves it at minute 20 (resolved_at is the clock when they do).
    await dataSource.query(`UPDATE alerts SET status = 'resolved', resolved_at = $2, resolution = 'seen, called the patient' WHERE id = $1`, [
      opened?.alertId,
      at(20),
    ]);
    expect(await alerts.recordFiring(patientId, firing('glucose-high', 'glucose.level2_hyper', 'warning', 10))).toBeNull();
    expect(await alerts.recordFiring(patientId, firing('glucose-high', 'glucose.level2_hyper', 'warning', 25))).toEqual(
      expect.objectContaining({ kind: 'opened' }),
    );
  });

  it('keeps raised_at (the evaluation time) apart from opened_at (when the condition began, for missing data the last reading)', async () => {
    await alerts.recordFiring(patientId, firing('cgm-stale', 'glucose.cgm_stale', 'warning', 60, { openedAt: at(40), readings: [] }));
    const [row] = await rowsOf('cgm-stale');
    expect(row.opened_at.toISOString()).toBe(at(40));
    expect(row.raised_at.toISOString()).toBe(at(60));
  });

  it('records a raise from late readings as retrospective (not to be paged); a live reading raising a retrospective alert makes it live', async () => {
    await alerts.recordFiring(patientId, firing('heart-rate-high', 'heart_rate.high', 'warning', 0));
    const raised = await alerts.recordFiring(patientId, firing('heart-rate-high', 'heart_rate.very_high', 'urgent', 5, { retrospective: true }));
    expect(raised).toEqual(expect.objectContaining({ kind: 'raised', retrospective: true }));

    const backfilled = await alerts.recordFiring(patientId, firing('spo2-low', 'spo2.low', 'warning', 0, { retrospective: true }));
    expect(backfilled).toEqual(expect.objectContaining({ kind: 'opened', retrospective: true }));
    const live = await alerts.recordFiring(patientId, firing('spo2-low', 'spo2.low_urgent', 'urgent', 30));
    expect(live).toEqual(expect.objectContaining({ kind: 'raised', retrospective: false }));
    const [row] = await dataSource.query('SELECT retrospective FROM alerts WHERE id = $1', [backfilled?.alertId]);
    expect(row.retrospective).toBe(false);
  });

  it('lands concurrent writers of one episode on one alert', async () => {
    const writes = await Promise.all(
      [
        firing('spo2-low', 'spo2.low', 'warning', 0),
        firing('spo2-low', 'spo2.low_urgent', 'urgent', 0),
        firing('spo2-low', 'spo2.low', 'warning', 1),
        firing('spo2-low', 'spo2.low_urgent', 'urgent', 1),
      ].map((each) => dataSource.transaction((manager) => alerts.recordFiring(patientId, each, manager))),
    );
    expect(writes.filter((write) => write?.kind === 'opened')).toHaveLength(1);
    const rows = await rowsOf('spo2-low');
    expect(rows).toEqual([expect.objectContaining({ severity: 'urgent', status: 'open', readings: 2 })]);
  });

  it('gives rows written without an episode their rule id as episode', async () => {
    await dataSource.query(
      `INSERT INTO alerts (patient_id, rule_id, rule_version, severity, status, title, reason, readings, opened_at, last_reading_at)
       VALUES ($1, 'custom.rule', 1, 'warning', 'open', 't', 'r', '[]', now(), now())`,
      [patientId],
    );
    expect(await rowsOf('custom.rule')).toHaveLength(1);
  });

  it('counts the time to escalate a raised alert from the raise, not from when it opened as a warning', async () => {
    const opened = await alerts.recordFiring(patientId, firing('glucose-low', 'glucose.level1_hypo', 'warning', 0));
    await dataSource.query(`UPDATE alerts SET created_at = now() - interval '1 hour' WHERE id = $1`, [opened?.alertId]);
    await alerts.recordFiring(patientId, firing('glucose-low', 'glucose.level2_hypo', 'urgent', 10));
    expect(await alerts.escalateUnacknowledged({ urgent: 15 * 60, warning: 4 * 3600 })).not.toContain(opened?.alertId);
    expect(await alerts.escalateUnacknowledged({ urgent: 0, warning: 4 * 3600 })).toContain(opened?.alertId);
  });

  it('tells the live stream of a raise (a notification, and changedSince for a stream catching up)', async () => {
    const opened = await alerts.recordFiring(patientId, firing('glucose-low', 'glucose.level1_hypo', 'warning', 0));
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    const notified: string[] = [];
    client.on('notification', (message) => notified.push(message.payload ?? ''));
    await client.query('LISTEN alert_changed');
    const before = new Date();
    await alerts.recordFiring(patientId, firing('glucose-low', 'glucose.level2_hypo', 'urgent', 10));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await client.end();
    expect(notified.map((payload) => JSON.parse(payload).alertId)).toContain(opened?.alertId);
    expect((await alerts.changedSince(before)).map((change) => change.alertId)).toContain(opened?.alertId);
  });
});
