import { AlertRepository, createDataSource } from '@rpm/persistence';
import { PostgresReadingStore } from '@rpm/timeseries';
import type { DataSource } from 'typeorm';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { createTestDatabase } from '../../../../test/support/test-services';
import { AlertOutcomes } from '../alerts/alert-outcomes';
import { PatientFacts } from '../alerts/patient-facts';
import { DeliveryQueue } from '../delivery/delivery-queue';
import { FollowUpJob } from '../follow-up/follow-up.job';
import { PatientAssessment } from '../follow-up/patient-assessment';
import { AlertingMetrics } from '../observability/alerting-metrics';
import { JobFailures } from './job-failures';
import { ScheduledRulesJob } from './scheduled-rules.job';

const MINUTE = 60_000;
/** The controllable clock: CGM readings up to five minutes before t0, then silence. */
const t0 = new Date('2026-03-02T10:00:00Z');
const t1 = new Date(t0.getTime() + 45 * MINUTE);

describe('scheduled rules on real PostgreSQL: one patient failing does not stop the others', () => {
  let databaseUrl: string;
  let dataSource: DataSource;
  let store: PostgresReadingStore;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    dataSource = await createDataSource(databaseUrl).initialize();
    store = new PostgresReadingStore(databaseUrl);
  });

  afterAll(async () => {
    await store?.close();
    await dataSource?.destroy();
  });

  function scheduledRules() {
    const metrics = new AlertingMetrics();
    const failures = new JobFailures(metrics);
    const facts = new PatientFacts(dataSource, store, metrics);
    const followUp = new FollowUpJob(dataSource, new PatientAssessment(dataSource, store), failures);
    const outcomes = new AlertOutcomes(dataSource, new AlertRepository(dataSource), new DeliveryQueue(dataSource, []), followUp);
    return { job: new ScheduledRulesJob(dataSource, facts, outcomes, failures), metrics };
  }

  /** An hour of CGM readings every five minutes, the last one five minutes before t0. */
  async function cgmHourBeforeT0(clinic: ClinicFixture, mgDl: number) {
    const readings = Array.from({ length: 12 }, (_, n) => {
      const measuredAt = new Date(t0.getTime() - (n + 1) * 5 * MINUTE).toISOString();
      return {
        patientId: clinic.patientId,
        deviceId: clinic.device.deviceId,
        metric: 'glucose' as const,
        measuredAt,
        receivedAt: measuredAt,
        seq: null,
        unit: 'mg/dL',
        values: { value: mgDl },
        original: { unit: 'mg/dL', values: { value: mgDl } },
        context: { source: 'cgm' },
      };
    });
    await store.write(readings);
  }

  async function openRules(patientId: string): Promise<string[]> {
    const rows: { rule_id: string }[] = await dataSource.query(`SELECT rule_id FROM alerts WHERE patient_id = $1 AND status = 'open' ORDER BY rule_id`, [
      patientId,
    ]);
    return rows.map((row) => row.rule_id);
  }

  async function othersWithStaleCgm(label: string, count: number): Promise<ClinicFixture[]> {
    const others = await Promise.all(Array.from({ length: count }, (_, n) => createClinic(databaseUrl, `${label}${n}`)));
    for (const clinic of others) await cgmHourBeforeT0(clinic, 120);
    return others;
  }

  it('keeps firing an open time-in-range episode (no evidence readings) run after run, and checks every patient', async () => {
    // A clinician's override lets time in range judge one day at 1 % coverage: it fires on the hour of readings below.
    const lowTir = await createClinic(databaseUrl, 'tir');
    await dataSource.query(
      `INSERT INTO patient_rule_overrides (patient_id, rule_id, version, params) VALUES ($1, 'glucose.tir_low', 2, '{"windowDays": 1, "minCoveragePercent": 1}')`,
      [lowTir.patientId],
    );
    await cgmHourBeforeT0(lowTir, 260);
    const { job } = scheduledRules();
    await job.runOnce(t0);
    expect(await openRules(lowTir.patientId)).toContain('glucose.tir_low');
    const others = await othersWithStaleCgm('tir-other', 4);

    await job.runOnce(t1);

    expect(await openRules(lowTir.patientId)).toEqual(expect.arrayContaining(['glucose.tir_low', 'glucose.cgm_stale_urgent']));
    const [episode] = await dataSource.query(`SELECT readings FROM alerts WHERE patient_id = $1 AND rule_id = 'glucose.tir_low'`, [lowTir.patientId]);
    expect(episode.readings).toEqual([]);
    for (const clinic of others) expect(await openRules(clinic.patientId)).toContain('glucose.cgm_stale_urgent');
  });

  it('logs and counts a patient whose rule override is corrupted, evaluates that rule with its default, and every other patient', async () => {
    const poisoned = await createClinic(databaseUrl, 'poisoned');
    // Written around the API's validation (an old row, a manual fix): no rule accepts a negative silence.
    await dataSource.query(
      `INSERT INTO patient_rule_overrides (patient_id, rule_id, version, params) VALUES ($1, 'glucose.cgm_stale', 2, '{"afterMinutes": -5}')`,
      [poisoned.patientId],
    );
    await cgmHourBeforeT0(poisoned, 120);
    const others = await othersWithStaleCgm('poison-other', 5);
    const { job, metrics } = scheduledRules();

    await job.runOnce(t1);

    for (const clinic of others) expect(await openRules(clinic.patientId)).toContain('glucose.cgm_stale_urgent');
    const invalid = (await metrics.evaluationFailures.get()).values.find((value) => value.labels.reason === 'invalid_rule_override');
    expect(invalid?.value).toBeGreaterThanOrEqual(1);
    // Nothing left to fail the patient's run: its other rules, and the corrupted one under its default, were evaluated.
    const failures = (await metrics.jobFailures.get()).values.find((value) => value.labels.job === 'scheduled-rules');
    expect(failures?.value ?? 0).toBe(0);
  });
});
