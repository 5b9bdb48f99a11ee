import type { NormalizedReading } from '@rpm/contracts';
import type { ThresholdRule } from './rule-definition.schema';
import { clear, formatNumber, minutesBetween, spanPhrase, undetermined, type Evaluation } from './rule-outcome';

const COMPARE = {
  below: (value: number, limit: number) => value < limit,
  at_most: (value: number, limit: number) => value <= limit,
  above: (value: number, limit: number) => value > limit,
  at_least: (value: number, limit: number) => value >= limit,
} as const;

const WORDS = { below: 'below', at_most: 'at or below', above: 'above', at_least: 'at or above' } as const;

/** The reading's value as the rule compares it and whether it lies beyond the threshold; null when the rule cannot judge it. */
export function thresholdSide(rule: ThresholdRule, reading: NormalizedReading): { value: number; unit: string; beyond: boolean } | null {
  const value = measured(reading, rule);
  return value && { ...value, beyond: COMPARE[rule.comparator](value.value, rule.threshold[value.unit]) };
}

/** The reading's value in the unit it was reported in when the rule has a limit for that unit, else canonical. */
function measured(reading: NormalizedReading, rule: ThresholdRule): { value: number; unit: string } | null {
  const original = reading.original.values[rule.field];
  if (original !== undefined && rule.threshold[reading.original.unit] !== undefined) return { value: original, unit: reading.original.unit };
  const canonical = reading.values[rule.field];
  if (canonical !== undefined && rule.threshold[reading.unit] !== undefined) return { value: canonical, unit: reading.unit };
  return null;
}

/**
 * Fires when the newest readings form a run of at least minConsecutive readings beyond the threshold
 * spanning at least minDurationMinutes; clears once the newest reading is clearMargin back on the safe side.
 */
export function evaluateThreshold(rule: ThresholdRule, readings: readonly NormalizedReading[]): Evaluation {
  const compare = COMPARE[rule.comparator];
  const low = rule.comparator === 'below' || rule.comparator === 'at_most';
  const run: { reading: NormalizedReading; value: number; unit: string }[] = [];
  for (let index = readings.length - 1; index >= 0; index--) {
    const value = measured(readings[index], rule);
    if (!value) continue;
    if (!compare(value.value, rule.threshold[value.unit])) break;
    run.push({ reading: readings[index], ...value });
  }
  // Collected newest first (push, not unshift: a 1 Hz run of three hours is 10,800 readings).
  run.reverse();
  if (run.length === 0) {
    const latest = [...readings]
      .reverse()
      .map((reading) => measured(reading, rule))
      .find((value) => value !== null);
    if (!latest) return undetermined();
    const limit = rule.threshold[latest.unit];
    const margin = rule.clearMargin[latest.unit] ?? 0;
    const safe = low ? latest.value >= limit + margin : latest.value <= limit - margin;
    return safe ? clear() : undetermined();
  }
  const spanMinutes = minutesBetween(run[0].reading.measuredAt, run[run.length - 1].reading.measuredAt);
  if (run.length < rule.minConsecutive || spanMinutes < rule.minDurationMinutes) return undetermined();
  const extreme = run.reduce((worst, item) => ((low ? item.value < worst.value : item.value > worst.value) ? item : worst));
  const { unit } = extreme;
  const limit = `${formatNumber(rule.threshold[unit])} ${unit}`;
  const what = rule.field === 'value' ? rule.metric : `${rule.metric} ${rule.field}`;
  const reason =
    run.length === 1
      ? `${rule.title}: ${what} ${formatNumber(extreme.value)} ${unit} is ${WORDS[rule.comparator]} ${limit}`
      : `${rule.title}: ${run.length} readings ${WORDS[rule.comparator]} ${limit} ${spanPhrase(spanMinutes)} ` +
        `(${low ? 'lowest' : 'highest'} ${formatNumber(extreme.value)} ${unit})`;
  return {
    state: 'firing',
    reason,
    evidence: run.map((item) => item.reading),
    since: run[0].reading.measuredAt,
  };
}
