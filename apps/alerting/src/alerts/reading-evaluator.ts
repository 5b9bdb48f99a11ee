import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { AlertRepository } from '@rpm/persistence';
import type { NormalizedReading } from '@rpm/contracts';
import { withLogContext } from '@rpm/platform';
import { ZodError } from 'zod';
import { ALERTING_CONFIG, type AlertingConfig } from '../alerting.config';
import { AlertingMetrics } from '../observability/alerting-metrics';
import { AlertOutcomes } from './alert-outcomes';
import { LiveEpisodes } from './live-episodes';
import type { PatientContext } from './patient-facts';
import { PatientFacts } from './patient-facts';
import { RuleStates } from './rule-states';

/** Patients evaluated at once: below the database pool (10), so the delivery worker and jobs still get connections. */
const CONCURRENT_PATIENTS = 4;

/**
 * An error in this patient's data or its rules (a value the rule code cannot handle), as opposed to the
 * database or the store being unreachable: evaluating again would fail again, so it must not hold the event.
 * fetch reports a network failure as a TypeError with a cause: that one is infrastructure.
 */
const isDataError = (error: unknown): boolean =>
  error instanceof ZodError || error instanceof RangeError || (error instanceof TypeError && error.cause === undefined);

/**
 * Evaluates the reading-triggered rules for the readings the gateway just stored, patient by patient,
 * in measurement order, from each patient's rule state in memory (RuleStates): a dense stream costs no
 * store query once its state is built. Patients are independent (an episode belongs to one patient), so
 * several are evaluated at a time; one patient's readings stay in order.
 */
@Injectable()
export class ReadingEvaluator {
  private readonly logger = new Logger(ReadingEvaluator.name);
  private readonly live: LiveEpisodes;

  constructor(
    private readonly facts: PatientFacts,
    private readonly states: RuleStates,
    private readonly alerts: AlertRepository,
    private readonly outcomes: AlertOutcomes,
    @Inject(ALERTING_CONFIG) private readonly config: AlertingConfig,
    private readonly metrics: AlertingMetrics,
    @Optional() live?: LiveEpisodes,
  ) {
    // Without CacheInvalidation (as in a bare test) its cache stays inactive: every batch asks PostgreSQL.
    this.live = live ?? new LiveEpisodes(alerts);
  }

  /** Callers keep one patient's readings in one call at a time (EvaluationQueue does). */
  async evaluate(readings: readonly NormalizedReading[]): Promise<void> {
    const byPatient = new Map<string, NormalizedReading[]>();
    for (const reading of readings) {
      const list = byPatient.get(reading.patientId);
      if (list) list.push(reading);
      else byPatient.set(reading.patientId, [reading]);
    }
    const patientIds = [...byPatient.keys()];
    // What every patient needs from PostgreSQL: from the caches once warm, else two round trips for the whole batch.
    const [contexts, live] = await Promise.all([this.facts.contexts(patientIds), this.live.of(patientIds)]);
    await forEach(patientIds, CONCURRENT_PATIENTS, (patientId) =>
      // Log lines of this patient's evaluation carry the patient and the first reading of the batch (device and sequence or time).
      withLogContext({ patientId, eventId: readingKey(byPatient.get(patientId)![0]) }, () =>
        this.evaluatePatient(patientId, byPatient.get(patientId)!, contexts.get(patientId), live.get(patientId) ?? new Set()),
      ).catch((error: unknown) => {
        // The live set may hold an episode whose transaction rolled back.
        this.live.forget(patientId);
        // Only infrastructure failures hold the event for redelivery; one patient's bad data must not block everyone.
        if (!isDataError(error)) throw error;
        this.metrics.evaluationFailures.inc({ reason: 'evaluation_error' });
        this.logger.error({ message: "patient's readings skipped: their evaluation failed on their data", patientId, errorType: (error as Error).name });
      }),
    );
  }

  private async evaluatePatient(patientId: string, fresh: NormalizedReading[], context: PatientContext | undefined, live: Set<string>): Promise<void> {
    if (!context) return;
    const judged = await this.states.evaluate(patientId, context, fresh);
    const wallClock = Date.now();
    const steps = judged.map(({ reading, outcomes }) => ({
      outcomes,
      asOf: reading.measuredAt,
      // A reading measured long before it arrived speaks of the past: it is recorded, not paged.
      retrospective: wallClock - Date.parse(reading.measuredAt) > this.config.lateReadingMs,
    }));
    await this.outcomes.applyAll(patientId, steps, live);
  }
}

const readingKey = (reading: NormalizedReading): string => `${reading.deviceId}/${reading.seq ?? reading.measuredAt}`;

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
