import { Inject, Injectable, Logger } from '@nestjs/common';
import { DEFAULT_RULES, effectiveRules, historyMinutes, type RuleDefinition, type RuleOverride } from '@rpm/clinical';
import type { NormalizedReading } from '@rpm/contracts';
import { PatientRepository, RuleOverrideRepository } from '@rpm/persistence';
import { READING_STORE } from '@rpm/platform';
import type { ReadingStore } from '@rpm/timeseries';
import { DataSource } from 'typeorm';
import { AlertingMetrics } from '../observability/alerting-metrics';
import { PatientCache } from './patient-cache';

export interface PatientContext {
  rules: RuleDefinition[];
  timeZone: string;
}

const MAX_READINGS = 10_000;
/** Patients whose rules and time zone stay in memory (as many as RuleStates keeps states for). */
const MAX_CACHED_PATIENTS = 20_000;

/** A reading's identity in the store: the same reading written twice is one reading. */
export const readingIdentity = (reading: NormalizedReading): string => `${reading.deviceId}\u0000${reading.measuredAt}\u0000${reading.seq}`;

/** Gathers what rules need about one patient: effective rules, time zone, readings over a window. */
@Injectable()
export class PatientFacts {
  private readonly logger = new Logger(PatientFacts.name);
  /** Most patients have no overrides: their rules are the programme defaults, worked out once. */
  private readonly defaultRules = effectiveRules(DEFAULT_RULES, []);
  private readonly patients: PatientRepository;
  private readonly overrides: RuleOverrideRepository;
  /** Each patient's context (null: no such patient), kept while CacheInvalidation hears their changes. */
  readonly cache = new PatientCache<PatientContext | null>(MAX_CACHED_PATIENTS);

  constructor(
    @Inject(DataSource) dataSource: DataSource,
    @Inject(READING_STORE) private readonly store: ReadingStore,
    private readonly metrics: AlertingMetrics,
  ) {
    this.patients = new PatientRepository(dataSource);
    this.overrides = new RuleOverrideRepository(dataSource);
  }

  async context(patientId: string): Promise<PatientContext | null> {
    return (await this.contexts([patientId])).get(patientId) ?? null;
  }

  /**
   * The contexts of several patients: from the cache, and the others in two queries (an event carries readings
   * of hundreds); unknown patients are absent.
   */
  async contexts(patientIds: readonly string[]): Promise<Map<string, PatientContext>> {
    const cached = await this.cache.getMany(
      patientIds,
      (missing) => this.load(missing),
      () => null,
    );
    const contexts = new Map<string, PatientContext>();
    for (const [patientId, context] of cached) if (context) contexts.set(patientId, context);
    return contexts;
  }

  private async load(patientIds: readonly string[]): Promise<Map<string, PatientContext>> {
    const [timeZones, overridesOf] = await Promise.all([this.patients.timeZones(patientIds), this.overrides.ofPatients(patientIds)]);
    return new Map(
      [...timeZones].map(([patientId, timeZone]) => {
        const own = overridesOf.get(patientId)?.map(({ changedAt, ...override }): RuleOverride => ({ ...override, since: changedAt?.toISOString() }));
        return [patientId, { rules: own ? this.rulesWith(patientId, own) : this.defaultRules, timeZone }];
      }),
    );
  }

  /**
   * The patient's rules under their overrides. An override the rule schema refuses (a row written around the
   * API) must not stop this patient's other rules, nor anyone else's: that rule keeps its default, and the
   * override is logged (patient and rule, no values) and counted.
   */
  private rulesWith(patientId: string, overrides: RuleOverride[]): RuleDefinition[] {
    try {
      return effectiveRules(DEFAULT_RULES, overrides);
    } catch {
      const valid = overrides.filter((override) => {
        try {
          effectiveRules(DEFAULT_RULES, [override]);
          return true;
        } catch {
          this.metrics.evaluationFailures.inc({ reason: 'invalid_rule_override' });
          this.logger.error({
            message: 'rule override invalid; the rule is evaluated with its default',
            patientId,
            ruleId: override.ruleId,
            version: override.version,
          });
          return false;
        }
      });
      return effectiveRules(DEFAULT_RULES, valid);
    }
  }

  /** The patient's readings of the rules' metrics, from the history the rules need before `from` up to `to`. */
  async readings(patientId: string, rules: readonly RuleDefinition[], from: Date, to: Date): Promise<NormalizedReading[]> {
    const metrics = [...new Set(rules.map((rule) => rule.metric))];
    const perMetric = await Promise.all(
      metrics.map(async (metric) => {
        const history = Math.max(...rules.filter((rule) => rule.metric === metric).map(historyMinutes));
        return (await this.metricReadings(patientId, metric, new Date(from.getTime() - history * 60_000), to)).readings;
      }),
    );
    return perMetric.flat().sort((a, b) => a.measuredAt.localeCompare(b.measuredAt));
  }

  /**
   * Every stored reading of one metric measured from `from` (inclusive) to `to` (exclusive), oldest first, in
   * as many queries as the store's row limit needs: rebuilding a 1 Hz stream's three hours takes 10,800 rows.
   */
  async allMetricReadings(patientId: string, metric: NormalizedReading['metric'], from: Date, to: Date): Promise<NormalizedReading[]> {
    const all: NormalizedReading[] = [];
    const taken = new Set<string>();
    let start = from;
    for (;;) {
      const page = await this.store.query({ patientId, metric, from: start, to, limit: MAX_READINGS });
      for (const reading of page) {
        const key = readingIdentity(reading);
        if (!taken.has(key)) all.push(reading);
        taken.add(key);
      }
      const last = page.at(-1);
      if (page.length < MAX_READINGS || !last) return all;
      // The next page starts at the last page's newest time again: readings sharing it may straddle the cut.
      const next = new Date(last.measuredAt);
      if (next.getTime() === start.getTime()) throw new Error(`more than ${MAX_READINGS} readings of ${metric} measured at ${last.measuredAt}`);
      start = next;
    }
  }

  /** One metric's readings measured from `from` up to and including `to`; `complete` is false when the query limit cut them. */
  async metricReadings(
    patientId: string,
    metric: NormalizedReading['metric'],
    from: Date,
    to: Date,
  ): Promise<{ readings: NormalizedReading[]; complete: boolean }> {
    const readings = await this.store.query({ patientId, metric, from, to: new Date(to.getTime() + 1), limit: MAX_READINGS });
    return { readings, complete: readings.length < MAX_READINGS };
  }
}
