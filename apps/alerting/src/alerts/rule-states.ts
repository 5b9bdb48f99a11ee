import { Injectable } from '@nestjs/common';
import { isScheduledRule, MetricStreams, type RuleDefinition, type RuleOutcome } from '@rpm/clinical';
import type { Metric, NormalizedReading } from '@rpm/contracts';
import { PatientFacts, readingIdentity, type PatientContext } from './patient-facts';

/** Patients whose rule state stays in memory; past it the least recently evaluated go (and are rebuilt from the store if they come back). */
const MAX_PATIENTS = 20_000;
/**
 * A restart rebuilds a stream from its last minutes first: enough for most rules (see RuleStream.settled), 600 rows
 * of a 1 Hz wearable instead of 10,800. Glucose's forecast and rate-of-change rules look 17.5 min back, so its
 * streams read 20 minutes; a dense stream must not read more than it needs (twice the rows cost urgent alerts
 * their second under a burst).
 */
const RECENT_MS = 10 * 60_000;
const RECENT_MS_BY_METRIC: Partial<Record<Metric, number>> = { glucose: 20 * 60_000 };

export interface EvaluatedReading {
  reading: NormalizedReading;
  outcomes: RuleOutcome[];
}

interface Streams {
  signature: string;
  streams: MetricStreams;
}

const signatureOf = (rules: readonly RuleDefinition[], timeZone: string) => `${timeZone}|${rules.map((rule) => `${rule.id}@${rule.version}`).join(',')}`;
const byTime = (a: NormalizedReading, b: NormalizedReading) => (a.measuredAt < b.measuredAt ? -1 : a.measuredAt > b.measuredAt ? 1 : 0);

/**
 * The reading-triggered rules of each patient as in-memory state per metric and rule (MetricStreams), so a
 * reading is judged without asking the store for its history. The store is read only to build a state:
 * for a patient not seen since start (or evicted), and for a late reading (measured at or before the newest
 * one the state holds: a backfill, a replay), which is judged on the store's history up to it, as it
 * happened, after which the state is rebuilt from the store at the next reading.
 */
@Injectable()
export class RuleStates {
  /** Insertion order is recency: the first entries are the least recently evaluated. */
  private readonly patients = new Map<string, Map<Metric, Streams>>();

  constructor(private readonly facts: PatientFacts) {}

  /** Judges one patient's readings (any order); returns each reading with its outcomes, in measurement order. */
  async evaluate(patientId: string, context: PatientContext, readings: readonly NormalizedReading[]): Promise<EvaluatedReading[]> {
    const states = this.patients.get(patientId) ?? new Map<Metric, Streams>();
    this.patients.delete(patientId);
    this.patients.set(patientId, states);
    if (this.patients.size > MAX_PATIENTS) this.patients.delete(this.patients.keys().next().value!);

    const byMetric = new Map<Metric, NormalizedReading[]>();
    for (const reading of [...readings].sort(byTime)) byMetric.set(reading.metric, [...(byMetric.get(reading.metric) ?? []), reading]);
    const evaluated: EvaluatedReading[] = [];
    for (const [metric, metricReadings] of byMetric) {
      const rules = context.rules.filter((rule) => rule.metric === metric && !isScheduledRule(rule));
      if (rules.length === 0) continue;
      evaluated.push(...(await this.evaluateMetric(patientId, states, metric, rules, context.timeZone, metricReadings)));
    }
    return evaluated.sort((a, b) => byTime(a.reading, b.reading));
  }

  /** Drops the states of the patients `which` selects: another alerting instance evaluated their readings meanwhile. */
  forget(which: (patientId: string) => boolean): void {
    for (const patientId of [...this.patients.keys()]) if (which(patientId)) this.patients.delete(patientId);
  }

  /** How many patients have state in memory. */
  get size(): number {
    return this.patients.size;
  }

  private async evaluateMetric(
    patientId: string,
    states: Map<Metric, Streams>,
    metric: Metric,
    rules: RuleDefinition[],
    timeZone: string,
    readings: NormalizedReading[],
  ): Promise<EvaluatedReading[]> {
    const signature = signatureOf(rules, timeZone);
    let state = states.get(metric);
    if (state && state.signature !== signature) state = undefined;
    const newest = state?.streams.newest;
    const late = newest ? readings.filter((reading) => reading.measuredAt <= newest) : [];
    const next = readings.slice(late.length);
    const evaluated = late.length > 0 ? await this.judgeLate(patientId, metric, rules, timeZone, late) : [];
    if (late.length > 0) state = undefined;
    if (next.length === 0) {
      if (state) states.set(metric, state);
      else states.delete(metric);
      return evaluated;
    }
    // Dropped until rebuilt: a failure below must not leave a state that skipped readings.
    states.delete(metric);
    const streams = state?.streams ?? (await this.rebuild(patientId, metric, rules, timeZone, new Date(next[0].measuredAt)));
    for (const reading of next) evaluated.push({ reading, outcomes: streams.push(reading) });
    states.set(metric, { signature, streams });
    return evaluated;
  }

  /** A state as the readings stored before `before` leave it: from the last minutes when they settle it, else from the whole window. */
  private async rebuild(patientId: string, metric: Metric, rules: RuleDefinition[], timeZone: string, before: Date): Promise<MetricStreams> {
    const recent = new MetricStreams(rules, timeZone);
    const recentMs = RECENT_MS_BY_METRIC[metric] ?? RECENT_MS;
    const recentFrom = new Date(before.getTime() - Math.min(recentMs, recent.windowMs));
    for (const reading of await this.facts.allMetricReadings(patientId, metric, recentFrom, before)) recent.push(reading);
    if (recent.settled() || recent.windowMs <= recentMs) return recent;
    const full = new MetricStreams(rules, timeZone);
    for (const reading of await this.facts.allMetricReadings(patientId, metric, new Date(before.getTime() - full.windowMs), before)) full.push(reading);
    return full;
  }

  /** Late readings judged on the store's history up to each, as they happened. */
  private async judgeLate(
    patientId: string,
    metric: Metric,
    rules: RuleDefinition[],
    timeZone: string,
    late: NormalizedReading[],
  ): Promise<EvaluatedReading[]> {
    const replay = new MetricStreams(rules, timeZone);
    const from = new Date(Date.parse(late[0].measuredAt) - replay.windowMs);
    const stored = await this.facts.allMetricReadings(patientId, metric, from, new Date(Date.parse(late[late.length - 1].measuredAt) + 1));
    const lateKeys = new Set(late.map(readingIdentity));
    // The gateway stores a reading before announcing it; merged anyway, so a reading is judged even if the store lost it.
    const storedKeys = new Set(stored.map(readingIdentity));
    const history = [...stored, ...late.filter((reading) => !storedKeys.has(readingIdentity(reading)))].sort(byTime);
    const evaluated: EvaluatedReading[] = [];
    for (const reading of history) {
      const outcomes = replay.push(reading);
      if (lateKeys.delete(readingIdentity(reading))) evaluated.push({ reading, outcomes });
    }
    return evaluated;
  }
}
