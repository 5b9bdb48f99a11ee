import type { NormalizedReading } from '@rpm/contracts';
import type { RateOfChangeRule } from './rule-definition.schema';
import { clear, formatNumber, minutesBetween, undetermined, type Evaluation } from './rule-outcome';

/** The stream a reading belongs to: a CGM's trend is not a finger-stick's (context.source 'cgm' or 'meter'). */
export const readingSourceOf = (reading: NormalizedReading): string => reading.context.source ?? '';

/**
 * Judged on the stream of the newest reading's source only: a CGM reading of 108 then a finger-stick of 44 a
 * minute later is two instruments disagreeing, not glucose falling 64 mg/dL/min.
 * Fires when each of the last minConsecutive intervals between glucose readings (no longer than
 * maxGapMinutes) changes at least ratePerMinute in the rule's direction, while the newest value is past
 * the gate; clears when the newest interval changes at less than half the rate.
 */
export function evaluateRateOfChange(rule: RateOfChangeRule, all: readonly NormalizedReading[]): Evaluation {
  const sign = rule.direction === 'falling' ? -1 : 1;
  if (all.length < 2) return undetermined();
  const source = readingSourceOf(all[all.length - 1]);
  const readings = all.filter((reading) => readingSourceOf(reading) === source);
  const rates: { rate: number; from: NormalizedReading; to: NormalizedReading }[] = [];
  for (let index = readings.length - 1; index > 0 && rates.length < rule.minConsecutive; index--) {
    const [from, to] = [readings[index - 1], readings[index]];
    const minutes = minutesBetween(from.measuredAt, to.measuredAt);
    if (minutes <= 0 || minutes > rule.maxGapMinutes) break;
    rates.push({ rate: (to.values.value - from.values.value) / minutes, from, to });
  }
  if (rates.length === 0) return undetermined();
  const newest = rates[0];
  if (sign * newest.rate < rule.ratePerMinute / 2) return clear();
  const latestValue = newest.to.values.value;
  const gated = rule.gateMgDl === undefined || (rule.direction === 'falling' ? latestValue < rule.gateMgDl : latestValue > rule.gateMgDl);
  if (rates.length < rule.minConsecutive || !gated || rates.some(({ rate }) => sign * rate < rule.ratePerMinute)) return undetermined();
  const slowest = Math.min(...rates.map(({ rate }) => sign * rate));
  const evidence = [rates[rates.length - 1].from, ...rates.map(({ to }) => to).reverse()];
  return {
    state: 'firing',
    reason:
      `${rule.title}: glucose ${rule.direction} at ${formatNumber(slowest)} mg/dL/min or faster over ${rates.length} consecutive readings ` +
      `(now ${formatNumber(latestValue)} mg/dL)`,
    evidence,
    since: evidence[0].measuredAt,
  };
}
