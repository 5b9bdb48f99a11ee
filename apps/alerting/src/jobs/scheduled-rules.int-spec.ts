import { AlertRepository, createDataSource } from '@rpm/persistence';
import { PostgresReadingStore } from '@rpm/timeseries';
import type { DataSource } from 'typeorm';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { createTestDatabase } from '../../../../test/support/test-services';
import { AlertOutcomes } from '../alerts/alert-outcomes';
import { PatientFacts } from '../alerts/patient-facts';
import { ScheduledWindows } from '../alerts/scheduled-windows';
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

  function scheduledRules(withWindows?: (patientId: string) => boolean) {
    const metrics = new AlertingMetrics();
    const failures = new JobFailures(metrics);
    // The store's queries, by patient: what a run asks the store.
    const storeQueries: string[] = [];
    const countedStore = new Proxy(store, {
      get(target, property) {
        if (property === 'query')
          return (query: Parameters<PostgresReadingStore['query']>[0]) => {
            storeQueries.push(query.patientId);
            return target.query(query);
          };
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const facts = new PatientFacts(dataSource, countedStore, metrics);
    const followUp = new FollowUpJob(dataSource, new PatientAssessment(dataSource, store), failures);
    const outcomes = new AlertOutcomes(dataSource, new AlertRepository(dataSource), new DeliveryQueue(dataSource, []), followUp);
    const windows = withWindows ? new ScheduledWindows(facts) : undefined;
    if (windows && withWindows) windows.trusted = withWindows;
    return { job: new ScheduledRulesJob(dataSource, facts, outcomes, failures, undefined, windows), metrics, windows, storeQueries };
  }

  const cgmReading = (clinic: ClinicFixture, at: Date, mgDl: number) => {
    const measuredAt = at.toISOString();
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
  };

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

  it('with windows kept between runs, a warm run asks the store nothing for a patient, sees the readings alerting took in, and still fires on missing data', async () => {
    const kept = await createClinic(databaseUrl, 'kept');
    const fed = await createClinic(databaseUrl, 'fed');
    const unvouched = await createClinic(databaseUrl, 'unvouched');
    for (const clinic of [kept, fed, unvouched]) await cgmHourBeforeT0(clinic, 120);
    const { job, windows, storeQueries } = scheduledRules((patientId) => patientId !== unvouched.patientId);
    const queriesOf = (clinic: ClinicFixture) => storeQueries.filter((patientId) => patientId === clinic.patientId).length;

    await job.runOnce(t0);
    expect(queriesOf(kept)).toBeGreaterThanOrEqual(1);
    storeQueries.length = 0;

    await job.runOnce(new Date(t0.getTime() + MINUTE));
    expect(queriesOf(kept) + queriesOf(fed)).toBe(0);
    // A patient whose readings the source does not vouch for is read from the store, run after run.
    expect(queriesOf(unvouched)).toBeGreaterThanOrEqual(1);

    // A reading stored and announced two minutes after t0: the window takes it in, the store is not asked.
    const reading = cgmReading(fed, new Date(t0.getTime() + 2 * MINUTE), 130);
    await store.write([reading]);
    windows!.observe([reading]);
    storeQueries.length = 0;

    // 14 minutes after t0 (the windows are read again 15 to 30 minutes after they were read): 19 minutes of silence
    // since the last reading is stale CGM data (15 minutes); 12 since the one taken in is not.
    await job.runOnce(new Date(t0.getTime() + 14 * MINUTE));
    expect(queriesOf(kept) + queriesOf(fed)).toBe(0);
    expect(await openRules(kept.patientId)).toEqual(['glucose.cgm_stale']);
    expect(await openRules(fed.patientId)).toEqual([]);
    expect(await openRules(unvouched.patientId)).toEqual(['glucose.cgm_stale']);
  });
});
