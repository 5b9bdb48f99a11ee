import type { NormalizedReading } from '@rpm/contracts';
import { AlertRepository, createDataSource } from '@rpm/persistence';
import { PostgresReadingStore } from '@rpm/timeseries';
import type { DataSource } from 'typeorm';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { createTestDatabase } from '../../../../test/support/test-services';
import type { AlertingConfig } from '../alerting.config';
import type { AlertChannel } from '../delivery/alert-channel';
import { DeliveryQueue } from '../delivery/delivery-queue';
import { FollowUpJob } from '../follow-up/follow-up.job';
import { PatientAssessment } from '../follow-up/patient-assessment';
import { JobFailures } from '../jobs/job-failures';
import { ScheduledRulesJob } from '../jobs/scheduled-rules.job';
import { AlertingMetrics } from '../observability/alerting-metrics';
import { AlertOutcomes } from './alert-outcomes';
import { PatientFacts } from './patient-facts';
import { ReadingEvaluator } from './reading-evaluator';
import { RuleStates } from './rule-states';

const MINUTE = 60_000;
const T0 = Date.parse('2026-03-02T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * MINUTE).toISOString();

/**
 * One episode, one alert, through the evaluator as it runs (stored readings, in-memory rule state, the
 * scheduled job) on a real PostgreSQL: rules that describe one condition share an episode; a more severe
 * rule raises the live alert and is delivered again as a raise; a less severe one opens nothing.
 */
describe('alert episodes through the evaluator on real PostgreSQL', () => {
  let databaseUrl: string;
  let dataSource: DataSource;
  let store: PostgresReadingStore;
  let evaluator: ReadingEvaluator;
  let scheduled: ScheduledRulesJob;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    dataSource = await createDataSource(databaseUrl).initialize();
    store = new PostgresReadingStore(databaseUrl);
    const metrics = new AlertingMetrics();
    const failures = new JobFailures(metrics);
    const facts = new PatientFacts(dataSource, store, metrics);
    const channel: AlertChannel = { name: 'webhook', send: async () => undefined };
    const followUp = new FollowUpJob(dataSource, new PatientAssessment(dataSource, store), failures);
    const alerts = new AlertRepository(dataSource);
    const outcomes = new AlertOutcomes(dataSource, alerts, new DeliveryQueue(dataSource, [channel]), followUp);
    // Nothing here is late: the readings are dated in 2026 and judged as live.
    const config = { lateReadingMs: 100 * 365 * 1440 * MINUTE } as AlertingConfig;
    evaluator = new ReadingEvaluator(facts, new RuleStates(facts), alerts, outcomes, config, metrics);
    scheduled = new ScheduledRulesJob(dataSource, facts, outcomes, failures);
  });

  afterAll(async () => {
    await store?.close();
    await dataSource?.destroy();
  });

  function reading(clinic: ClinicFixture, minutes: number, metric: NormalizedReading['metric'], values: Record<string, number>, unit: string, source: string) {
    const original = { unit, values };
    const canonical = unit === 'mmol/L' ? { unit: 'mg/dL', values: { value: Math.round(values.value * 18.0156 * 10) / 10 } } : { unit, values };
    return {
      patientId: clinic.patientId,
      deviceId: clinic.device.deviceId,
      metric,
      measuredAt: at(minutes),
      receivedAt: at(minutes),
      seq: null,
      ...canonical,
      original,
      context: { source },
    } as NormalizedReading;
  }

  /** Stores the readings (as the gateway does) and evaluates them one at a time, as they arrive. */
  async function arrive(...readings: NormalizedReading[]) {
    for (const item of readings) {
      await store.write([item]);
      await evaluator.evaluate([item]);
    }
  }

  const alertsOf = async (clinic: ClinicFixture) =>
    (await dataSource.query(
      `SELECT a.id, a.episode, a.rule_id, a.severity, a.status, a.title, a.severity_changes, a.opened_at, a.raised_at,
              ARRAY(SELECT event FROM alert_deliveries d WHERE d.alert_id = a.id ORDER BY d.id) AS deliveries
         FROM alerts a WHERE a.patient_id = $1 ORDER BY a.created_at`,
      [clinic.patientId],
    )) as {
      id: string;
      episode: string;
      rule_id: string;
      severity: string;
      status: string;
      title: string;
      severity_changes: unknown[];
      opened_at: Date;
      raised_at: Date;
      deliveries: string[];
    }[];

  it('a blood-pressure crisis above both limits opens one urgent alert, paged once', async () => {
    const clinic = await createClinic(databaseUrl, 'bp');
    await arrive(reading(clinic, 0, 'blood_pressure', { systolic: 195, diastolic: 125 }, 'mmHg', 'cuff'));
    await arrive(reading(clinic, 5, 'blood_pressure', { systolic: 170, diastolic: 124 }, 'mmHg', 'cuff'));
    expect(await alertsOf(clinic)).toEqual([expect.objectContaining({ episode: 'bp-crisis', severity: 'urgent', status: 'open', deliveries: ['opened'] })]);
    // Both back below their limits past the hysteresis: the episode is over.
    await arrive(reading(clinic, 10, 'blood_pressure', { systolic: 150, diastolic: 95 }, 'mmHg', 'cuff'));
    expect(await alertsOf(clinic)).toEqual([expect.objectContaining({ status: 'resolved' })]);
  });

  it('a level 1 hypo that deepens to level 2 is one alert raised to urgent; 3.6 mmol/L on the way up opens no second one', async () => {
    const clinic = await createClinic(databaseUrl, 'hypo');
    const mmol = (minutes: number, value: number) => reading(clinic, minutes, 'glucose', { value }, 'mmol/L', 'meter');
    await arrive(mmol(0, 3.8));
    expect(await alertsOf(clinic)).toEqual([
      expect.objectContaining({ episode: 'glucose-low', severity: 'warning', rule_id: 'glucose.level1_hypo', deliveries: ['opened'] }),
    ]);
    await arrive(mmol(10, 2.9), mmol(20, 3.6), mmol(30, 4.0));
    const [alert, ...others] = await alertsOf(clinic);
    expect(others).toEqual([]);
    expect(alert).toEqual(
      expect.objectContaining({
        severity: 'urgent',
        rule_id: 'glucose.level2_hypo',
        title: 'Level 2 hypoglycaemia',
        status: 'open',
        deliveries: ['opened', 'raised_to_urgent'],
        severity_changes: [expect.objectContaining({ from: 'warning', to: 'urgent', asOf: at(10) })],
      }),
    );
    // 4.0 is past level 2's hysteresis but inside level 1's: still open. 4.3 is past both.
    await arrive(mmol(40, 4.3));
    expect((await alertsOf(clinic)).map((each) => each.status)).toEqual(['resolved']);
  });

  it('a silent CGM raises its warning to urgent instead of opening a second alert, and shows when it was raised', async () => {
    const clinic = await createClinic(databaseUrl, 'stale');
    await arrive(...[-30, -25, -20, -15, -10, -5, 0].map((minutes) => reading(clinic, minutes, 'glucose', { value: 120 }, 'mg/dL', 'cgm')));
    await scheduled.runOnce(new Date(T0 + 20 * MINUTE));
    await scheduled.runOnce(new Date(T0 + 40 * MINUTE));
    const alerts = await alertsOf(clinic);
    expect(alerts).toEqual([expect.objectContaining({ episode: 'cgm-stale', severity: 'urgent', status: 'open', deliveries: ['opened', 'raised_to_urgent'] })]);
    // Raised at the check that found the silence; the last reading is the condition's start.
    expect(alerts[0].raised_at.toISOString()).toBe(at(20));
    expect(alerts[0].opened_at.toISOString()).toBe(at(0));
  });

  it('readings taken while a rule was off do not count towards its next episode once it is on again', async () => {
    const clinic = await createClinic(databaseUrl, 'reenabled');
    const mgDl = (minutes: number, value: number) => reading(clinic, minutes, 'glucose', { value }, 'mg/dL', 'meter');
    // Level 2 hyperglycaemia (twice above 250) was off until minute 15, when the care team turned it on again.
    await dataSource.query(
      `INSERT INTO patient_rule_overrides (patient_id, rule_id, version, disabled, params, changed_at) VALUES ($1, 'glucose.level2_hyper', 3, false, '{}', $2)`,
      [clinic.patientId, at(15)],
    );
    await arrive(mgDl(0, 300), mgDl(30, 300));
    expect(await alertsOf(clinic)).toEqual([]);
    await arrive(mgDl(60, 290));
    expect(await alertsOf(clinic)).toEqual([
      expect.objectContaining({ episode: 'glucose-high', severity: 'warning', title: 'Level 2 hyperglycaemia (twice above 250 mg/dL), check ketones' }),
    ]);
  });
});
