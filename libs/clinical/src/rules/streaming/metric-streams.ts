import type { NormalizedReading } from '@rpm/contracts';
import { historyMinutes, isScheduledRule, rankTiers, ruleActiveAt, type RuleOutcome } from '../evaluate-rules';
import { PREDICTED_LOW_LOOKBACK_MINUTES, evaluatePredictedLow } from '../predicted-low.evaluator';
import { evaluateRateOfChange, readingSourceOf } from '../rate-of-change.evaluator';
import { evaluateRollingMean } from '../rolling-mean.evaluator';
import { countsFor, type RuleDefinition } from '../rule-definition.schema';
import { undetermined } from '../rule-outcome';
import { ThresholdStream } from './threshold.stream';
import { LookbackStream, SourceTailStream, WindowStream } from './tail.stream';
import type { RuleStream } from './rule-stream';

/** How far back, in ms, the reading-triggered rules of one metric look: the longest of their histories. */
export const streamWindowMs = (rules: readonly RuleDefinition[]): number => Math.max(0, ...rules.map(historyMinutes)) * 60_000;

function streamOf(rule: RuleDefinition, windowMs: number, timeZone: string): RuleStream {
  switch (rule.kind) {
    case 'threshold':
      return new ThresholdStream(rule, windowMs);
    case 'rate_of_change':
      return new SourceTailStream(rule.minConsecutive + 1, windowMs, rule.maxGapMinutes * 60_000, readingSourceOf, (readings) =>
        evaluateRateOfChange(rule, readings),
      );
    case 'predicted_low':
      return new LookbackStream(
        PREDICTED_LOW_LOOKBACK_MINUTES * 60_000,
        windowMs,
        (readings) => evaluatePredictedLow(rule, readings),
        (reading) => reading.context.source === 'cgm',
      );
    case 'rolling_mean':
      return new WindowStream(windowMs, (readings, now) => evaluateRollingMean(rule, readings, now, timeZone));
    case 'glucose_window':
    case 'missing_data':
      throw new Error(`${rule.kind} rules are scheduled, not evaluated per reading`);
  }
}

/**
 * The reading-triggered rules of one patient and one metric, evaluated incrementally: each pushed reading
 * gives the outcomes `evaluateRules` gives over the readings of the last window up to it (tiers ranked,
 * time-of-day windows applied), at a cost that does not grow with the window's density.
 */
export class MetricStreams {
  readonly windowMs: number;
  private readonly streams: { rule: RuleDefinition; stream: RuleStream }[];
  /** Measurement time of the newest reading pushed; a reading at or before it is not the next one. */
  newest: string | null = null;

  constructor(
    readonly rules: readonly RuleDefinition[],
    private readonly timeZone: string,
  ) {
    const triggered = rules.filter((rule) => !isScheduledRule(rule));
    this.windowMs = streamWindowMs(triggered);
    this.streams = triggered.map((rule) => ({ rule, stream: streamOf(rule, this.windowMs, timeZone) }));
  }

  push(reading: NormalizedReading): RuleOutcome[] {
    this.newest = reading.measuredAt;
    const now = new Date(reading.measuredAt);
    return rankTiers(
      this.streams.map(({ rule, stream }) => {
        // A reading from before the rule came into force as it is (changed, enabled again) is no part of its runs.
        if (!countsFor(rule, reading.measuredAt)) return { rule, ...undetermined() };
        // The state moves on even while a time-of-day window keeps the rule quiet.
        const evaluation = stream.push(reading);
        return ruleActiveAt(rule, now, this.timeZone) ? { rule, ...evaluation } : { rule, ...undetermined() };
      }),
    );
  }

  /** Whether every rule's state is what the full window would give (see RuleStream.settled). */
  settled(): boolean {
    return this.streams.every(({ stream }) => stream.settled());
  }
}
