import { DEFAULT_RULES, type RuleOutcome } from '@rpm/clinical';
import type { NormalizedReading } from '@rpm/contracts';
import { AlertRepository, createDataSource } from '@rpm/persistence';
import { PostgresReadingStore, type ReadingQuery } from '@rpm/timeseries';
import { Client } from 'pg';
import { DataSource, type Logger as TypeOrmLogger } from 'typeorm';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { createTestDatabase } from '../../../../test/support/test-services';
import { waitFor } from '../../../../test/support/wait-for';
import type { AlertingConfig } from '../alerting.config';
import { DeliveryQueue } from '../delivery/delivery-queue';
import { FollowUpJob } from '../follow-up/follow-up.job';
import { PatientAssessment } from '../follow-up/patient-assessment';
import { JobFailures } from '../jobs/job-failures';
import { ScheduledRulesJob } from '../jobs/scheduled-rules.job';
import { AlertingMetrics } from '../observability/alerting-metrics';
import { AlertOutcomes, firingOf } from './alert-outcomes';
import { CacheInvalidation } from './cache-invalidation';
import { LiveEpisodes } from './live-episodes';
import { PatientFacts } from './patient-facts';
import { ReadingEvaluator } from './reading-evaluator';
import { RuleStates } from './rule-states';

/** Counts every statement TypeORM sends over the data source's real PostgreSQL connections. */
class StatementCounter implements TypeOrmLogger {
  statements: string[] = [];
  logQuery(query: string): void {
    this.statements.push(query);
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

/** The PostgreSQL reading store, counting the history queries alerting sends it. */
class CountingStore extends PostgresReadingStore {
  queries = 0;
  override query(query: ReadingQuery): Promise<NormalizedReading[]> {
    this.queries++;
    return super.query(query);
  }
}

/**
 * Alerting's per-patient caches on a real PostgreSQL, with their invalidation by LISTEN/NOTIFY: once a patient
 * is warm, the next reading costs no statement and no store query; a change of the patient's facts or alerts
 * by another writer is heard and the next reading reads again.
 */
describe("alerting's patient caches (real PostgreSQL, LISTEN/NOTIFY)", () => {
  let databaseUrl: string;
  let dataSource: DataSource;
  let sql: Client;
  let store: CountingStore;
  let evaluator: ReadingEvaluator;
  let invalidation: CacheInvalidation;
  let facts: PatientFacts;
  let live: LiveEpisodes;
  let scheduled: ScheduledRulesJob;
  const counter = new StatementCounter();
  let second = 0;

  const reading = (clinic: ClinicFixture, value: number): NormalizedReading => {
    const measuredAt = new Date(Date.now() - 60_000 + ++second * 100).toISOString();
    return {
      patientId: clinic.patientId,
      deviceId: clinic.device.deviceId,
      metric: 'heart_rate',
      measuredAt,
      receivedAt: measuredAt,
      seq: second,
      unit: 'bpm',
      values: { value },
      original: { unit: 'bpm', values: { value } },
      context: {},
    };
  };
  /** Stores the reading as the gateway does, then evaluates it; returns what it cost. */
  const arrive = async (item: NormalizedReading) => {
    await store.write([item]);
    const [statements, queries] = [counter.statements.length, store.queries];
    await evaluator.evaluate([item]);
    return { statements: counter.statements.slice(statements), storeQueries: store.queries - queries };
  };
  const liveAlerts = async (clinic: ClinicFixture) =>
    (await sql.query(`SELECT severity FROM alerts WHERE patient_id = $1 AND status IN ('open', 'acknowledged', 'snoozed')`, [clinic.patientId])).rows;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    const plain = createDataSource(databaseUrl);
    dataSource = await new DataSource({ ...plain.options, logging: ['query'], logger: counter }).initialize();
    sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    store = new CountingStore(databaseUrl);
    const metrics = new AlertingMetrics();
    const failures = new JobFailures(metrics);
    const alerts = new AlertRepository(dataSource);
    facts = new PatientFacts(dataSource, store, metrics);
    live = new LiveEpisodes(alerts);
    const followUp = new FollowUpJob(dataSource, new PatientAssessment(dataSource, store), failures);
    const outcomes = new AlertOutcomes(dataSource, alerts, new DeliveryQueue(dataSource, []), followUp);
    const config = { databaseUrl, lateReadingMs: 10 * 60_000 } as AlertingConfig;
    evaluator = new ReadingEvaluator(facts, new RuleStates(facts), alerts, outcomes, config, metrics, live);
    scheduled = new ScheduledRulesJob(dataSource, facts, outcomes, failures, live);
    invalidation = new CacheInvalidation(config, facts, live);
    await invalidation.onApplicationBootstrap();
  });

  afterAll(async () => {
    await invalidation?.onApplicationShutdown();
    await store?.close();
    await sql?.end();
    await dataSource?.destroy();
  });

  it('evaluates the next in-range reading of a warm patient without a statement or a store query', async () => {
    const clinic = await createClinic(databaseUrl, 'warm');
    const first = await arrive(reading(clinic, 70));
    expect(first.statements.length).toBeGreaterThan(0); // rules, time zone, live episodes
    expect(first.storeQueries).toBeGreaterThan(0); // the rule state built from the store
    for (const value of [71, 72, 73, 74, 75]) {
      expect(await arrive(reading(clinic, value))).toEqual({ statements: [], storeQueries: 0 });
    }
  });

  it("reads the patient's facts again after PostgreSQL notifies a change of them (time zone, rule override)", async () => {
    const clinic = await createClinic(databaseUrl, 'facts');
    await arrive(reading(clinic, 70));
    expect((await arrive(reading(clinic, 71))).statements).toEqual([]);
    await sql.query(`UPDATE patients SET time_zone = 'Europe/Berlin' WHERE id = $1`, [clinic.patientId]);
    await waitFor('the change heard', async () => (!(await isCached(facts, clinic)) ? true : undefined), 5000);
    const after = await arrive(reading(clinic, 72));
    expect(after.statements.some((statement) => statement.includes('FROM patients'))).toBe(true);
    expect((await arrive(reading(clinic, 73))).statements).toEqual([]);

    // A rule override disabling the urgent low: heard, and the next two lows open nothing.
    await sql.query(`INSERT INTO patient_rule_overrides (patient_id, rule_id, version, disabled) VALUES ($1, 'heart_rate.very_low', 1, true)`, [
      clinic.patientId,
    ]);
    await waitFor('the override heard', async () => (!(await isCached(facts, clinic)) ? true : undefined), 5000);
    const reread = await arrive(reading(clinic, 35));
    expect(reread.statements.some((statement) => statement.includes('FROM patient_rule_overrides'))).toBe(true);
    await arrive(reading(clinic, 35));
    expect(await liveAlerts(clinic)).toEqual([]);
  });

  it('writes only on a change of state: an alert opens, in-range readings cost nothing while it is live, a clear one resolves it', async () => {
    const clinic = await createClinic(databaseUrl, 'episode');
    await arrive(reading(clinic, 70));
    await arrive(reading(clinic, 35)); // heart_rate.very_low (<= 40 bpm) needs two in a row
    const opened = await arrive(reading(clinic, 35));
    expect(opened.statements.some((statement) => statement.startsWith('INSERT INTO alerts'))).toBe(true);
    expect(await liveAlerts(clinic)).toEqual([{ severity: 'urgent' }]);
    // Its own commit's alert_changed drops the patient's live episodes once; then the extension is a write of state.
    await waitFor('alert_changed heard', async () => ((await isLive(live, clinic)) ? undefined : true), 5000);
    await arrive(reading(clinic, 35));
    const cleared = await arrive(reading(clinic, 70));
    expect(cleared.statements.some((statement) => statement.startsWith("UPDATE alerts SET status = 'resolved'"))).toBe(true);
    expect(await liveAlerts(clinic)).toEqual([]);
    await waitFor('alert_changed heard', async () => ((await isLive(live, clinic)) ? undefined : true), 5000);
    await arrive(reading(clinic, 71));
    expect(await arrive(reading(clinic, 72))).toEqual({ statements: [], storeQueries: 0 });
  });

  it('hears an alert opened by another writer: the next clear reading resolves it', async () => {
    const clinic = await createClinic(databaseUrl, 'other-writer');
    await arrive(reading(clinic, 70));
    expect((await arrive(reading(clinic, 71))).statements).toEqual([]);
    // Another alerting instance (or a job) opens the episode: this one's cache said "nothing live".
    const other = await createDataSource(databaseUrl).initialize();
    const low = reading(clinic, 35);
    const rule = DEFAULT_RULES.find((candidate) => candidate.id === 'heart_rate.very_low')!;
    await new AlertRepository(other).recordFiring(clinic.patientId, firingOf({ rule, state: 'firing', evidence: [low] } as RuleOutcome, low.measuredAt, false));
    await other.destroy();
    expect(await liveAlerts(clinic)).toEqual([{ severity: 'urgent' }]);
    await waitFor('alert_changed heard', async () => ((await isLive(live, clinic)) ? undefined : true), 5000);
    await arrive(reading(clinic, 72));
    expect(await liveAlerts(clinic)).toEqual([]);
  });

  it('runs the scheduled rules of patients with nothing live without an UPDATE for their clear rules', async () => {
    // A CGM reading a minute old: "CGM data stale" is clear for this patient at every run.
    const clinic = await createClinic(databaseUrl, 'scheduled');
    const measuredAt = new Date(Date.now() - 60_000).toISOString();
    const values = { value: 110 };
    await store.write([
      {
        ...reading(clinic, 0),
        metric: 'glucose',
        measuredAt,
        receivedAt: measuredAt,
        unit: 'mg/dL',
        values,
        original: { unit: 'mg/dL', values },
        context: { source: 'cgm' },
      },
    ]);
    await scheduled.runOnce();
    const before = counter.statements.length;
    await scheduled.runOnce();
    const statements = counter.statements.slice(before);
    expect(statements.filter((statement) => statement.startsWith('UPDATE alerts'))).toEqual([]);
    // Nor a query for the patients' rules and time zones: they are cached.
    expect(statements.filter((statement) => statement.includes('FROM patient_rule_overrides'))).toEqual([]);
  });
});

/** Whether the patient's facts are in the cache (an empty load would tell: the loader is not called for a cached one). */
async function isCached(facts: PatientFacts, clinic: ClinicFixture): Promise<boolean> {
  let loaded = false;
  await facts.cache.getMany(
    [clinic.patientId],
    async () => {
      loaded = true;
      return new Map();
    },
    () => null,
  );
  if (loaded) facts.cache.forget(clinic.patientId);
  return !loaded;
}

async function isLive(live: LiveEpisodes, clinic: ClinicFixture): Promise<boolean> {
  let loaded = false;
  await live.cache.getMany(
    [clinic.patientId],
    async () => {
      loaded = true;
      return new Map();
    },
    () => new Set(),
  );
  if (loaded) live.cache.forget(clinic.patientId);
  return !loaded;
}
