import type { NormalizedReading } from '@rpm/contracts';
import { homeBpReadingsInMean, roundMmHg, summarizeHomeBp } from '../summaries/home-bp-summary';
import type { RollingMeanRule } from './rule-definition.schema';
import { clear, undetermined, type Evaluation } from './rule-outcome';

/**
 * The home blood-pressure mean of the last windowDays (ending `now`), as the summary computes it
 * (summarizeHomeBp: the first local day in the patient's time zone discarded, at least minReadings left),
 * so the alert and the patient's summary agree. Fires when any mean reaches its limit; clears when every mean
 * is clearMargin below its limit.
 */
export function evaluateRollingMean(rule: RollingMeanRule, readings: readonly NormalizedReading[], now: Date, timeZone: string): Evaluation {
  const windowStart = now.getTime() - rule.windowDays * 86_400_000;
  const inWindow = readings.filter((reading) => Date.parse(reading.measuredAt) >= windowStart && Date.parse(reading.measuredAt) <= now.getTime());
  const options = { minReadings: rule.minReadings, discardFirstDay: rule.discardFirstDay };
  const summary = summarizeHomeBp(inWindow, timeZone, options);
  if (!summary) return undetermined();
  const means: Record<string, number> = { systolic: summary.systolic, diastolic: summary.diastolic };
  const fields = Object.keys(rule.limits).filter((field) => means[field] !== undefined);
  const reached = fields.filter((field) => means[field] >= rule.limits[field]);
  if (reached.length === 0) return fields.every((field) => means[field] <= rule.limits[field] - rule.clearMargin) ? clear() : undetermined();
  const kept = homeBpReadingsInMean(inWindow, timeZone, rule.discardFirstDay);
  const meanText = fields.map((field) => roundMmHg(means[field])).join('/');
  const limitText = fields.map((field) => rule.limits[field]).join('/');
  const discarded = rule.discardFirstDay ? ', first day discarded' : '';
  return {
    state: 'firing',
    reason: `${rule.title}: ${rule.windowDays}-day home mean ${meanText} mmHg from ${summary.readingsInMean} readings${discarded} reaches ${limitText} mmHg`,
    evidence: kept,
    since: kept[0].measuredAt,
  };
}
