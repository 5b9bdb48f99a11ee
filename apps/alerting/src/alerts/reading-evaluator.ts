import { Inject, Injectable } from '@nestjs/common';
import { evaluateRules, isScheduledRule, type RuleDefinition } from '@rpm/clinical';
import type { NormalizedReading } from '@rpm/contracts';
import { ALERTING_CONFIG, type AlertingConfig } from '../alerting.config';
import { AlertOutcomes } from './alert-outcomes';
import { AlertRepository } from './alert.repository';
import type { PatientContext } from './patient-facts';
import { PatientFacts } from './patient-facts';
import { RecentReadings } from './recent-readings';

/** Patients evaluated at once: below the database pool (10), so the delivery worker and jobs still get connections. */
const CONCURRENT_PATIENTS = 6;

/**
 * Evaluates the reading-triggered rules for the readings the gateway just stored, patient by patient,
 * in measurement order: each new reading is judged against the history up to its own measurement time,
 * so out-of-order and backfilled readings are evaluated as they happened. Patients are independent (an
 * episode belongs to one patient), so several are evaluated at a time; one patient's readings stay in order.
 */
@Injectable()
export class ReadingEvaluator {
  constructor(
    private readonly facts: PatientFacts,
    private readonly recent: RecentReadings,
    private readonly alerts: AlertRepository,
    private readonly outcomes: AlertOutcomes,
    @Inject(ALERTING_CONFIG) private readonly config: AlertingConfig,
  ) {}

  async evaluate(readings: readonly NormalizedReading[]): Promise<void> {
    const byPatient = new Map<string, NormalizedReading[]>();
    for (const reading of readings) {
      const list = byPatient.get(reading.patientId);
      if (list) list.push(reading);
      else byPatient.set(reading.patientId, [reading]);
    }
    this.recent.add(readings);
    const patientIds = [...byPatient.keys()];
    // What every patient needs from PostgreSQL, in two round trips for the whole event instead of three per patient.
    const [contexts, live] = await Promise.all([this.facts.contexts(patientIds), this.alerts.liveRules(patientIds)]);
    await forEach(patientIds, CONCURRENT_PATIENTS, (patientId) =>
      this.evaluatePatient(patientId, byPatient.get(patientId)!, contexts.get(patientId), live.get(patientId) ?? new Set()),
    );
  }

  private async evaluatePatient(patientId: string, fresh: NormalizedReading[], context: PatientContext | undefined, live: Set<string>): Promise<void> {
    if (!context) return;
    const rules = context.rules.filter((rule) => !isScheduledRule(rule) && fresh.some((reading) => reading.metric === rule.metric));
    if (rules.length === 0) return;
    // measuredAt is always toISOString() output: comparing code units orders it as localeCompare did, at a fraction of the cost.
    const ordered = [...fresh].sort((a, b) => (a.measuredAt < b.measuredAt ? -1 : a.measuredAt > b.measuredAt ? 1 : 0));
    // Oldest first; a prefix of it is the history up to each reading.
    const history = await this.recent.readings(patientId, rules, new Date(ordered[0].measuredAt), new Date(ordered[ordered.length - 1].measuredAt));
    const wallClock = Date.now();
    const rulesOf = new Map<string, RuleDefinition[]>();
    for (const rule of rules) rulesOf.set(rule.metric, [...(rulesOf.get(rule.metric) ?? []), rule]);
    let known = 0;
    for (const reading of ordered) {
      while (known < history.length && history[known].measuredAt <= reading.measuredAt) known++;
      const relevant = rulesOf.get(reading.metric) ?? [];
      const results = evaluateRules(relevant, { now: new Date(reading.measuredAt), readings: history.slice(0, known), timeZone: context.timeZone });
      // A reading measured long before it arrived speaks of the past: it is recorded, not paged.
      const retrospective = wallClock - Date.parse(reading.measuredAt) > this.config.lateReadingMs;
      await this.outcomes.apply(patientId, results, reading.measuredAt, retrospective, live);
    }
  }
}

/** Runs `task` for every item, at most `concurrency` at a time; rejects with the first failure once all have settled. */
async function forEach<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await task(item).catch((error: unknown) => failures.push(error));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failures.length > 0) throw failures[0];
}
