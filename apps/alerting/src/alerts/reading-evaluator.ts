import { Inject, Injectable } from '@nestjs/common';
import { evaluateRules, isScheduledRule } from '@rpm/clinical';
import type { NormalizedReading } from '@rpm/contracts';
import { ALERTING_CONFIG, type AlertingConfig } from '../alerting.config';
import { AlertOutcomes } from './alert-outcomes';
import { PatientFacts } from './patient-facts';

/**
 * Evaluates the reading-triggered rules for the readings the gateway just stored, patient by patient,
 * in measurement order: each new reading is judged against the history up to its own measurement time,
 * so out-of-order and backfilled readings are evaluated as they happened.
 */
@Injectable()
export class ReadingEvaluator {
  constructor(
    private readonly facts: PatientFacts,
    private readonly outcomes: AlertOutcomes,
    @Inject(ALERTING_CONFIG) private readonly config: AlertingConfig,
  ) {}

  async evaluate(readings: readonly NormalizedReading[]): Promise<void> {
    const byPatient = new Map<string, NormalizedReading[]>();
    for (const reading of readings) byPatient.set(reading.patientId, [...(byPatient.get(reading.patientId) ?? []), reading]);
    for (const [patientId, fresh] of byPatient) await this.evaluatePatient(patientId, fresh);
  }

  private async evaluatePatient(patientId: string, fresh: NormalizedReading[]): Promise<void> {
    const context = await this.facts.context(patientId);
    if (!context) return;
    const rules = context.rules.filter((rule) => !isScheduledRule(rule) && fresh.some((reading) => reading.metric === rule.metric));
    if (rules.length === 0) return;
    const ordered = [...fresh].sort((a, b) => a.measuredAt.localeCompare(b.measuredAt));
    const history = await this.facts.readings(patientId, rules, new Date(ordered[0].measuredAt), new Date(ordered[ordered.length - 1].measuredAt));
    const wallClock = Date.now();
    for (const reading of ordered) {
      const upTo = history.filter((candidate) => candidate.measuredAt <= reading.measuredAt);
      const relevant = rules.filter((rule) => rule.metric === reading.metric);
      const results = evaluateRules(relevant, { now: new Date(reading.measuredAt), readings: upTo, timeZone: context.timeZone });
      // A reading measured long before it arrived speaks of the past: it is recorded, not paged.
      const retrospective = wallClock - Date.parse(reading.measuredAt) > this.config.lateReadingMs;
      await this.outcomes.apply(patientId, results, reading.measuredAt, retrospective);
    }
  }
}
