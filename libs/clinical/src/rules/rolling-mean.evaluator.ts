import type { NormalizedReading } from '@rpm/contracts';
import type { RollingMeanRule } from './rule-definition.schema';
import { clear, formatNumber, undetermined, type Evaluation } from './rule-outcome';

/**
 * Mean of each field over the last windowDays (ending `now`), the first day of the series discarded as
 * home protocols do. Fires when any mean reaches its limit with enough readings; clears when every mean is
 * clearMargin below its limit.
 */
export function evaluateRollingMean(rule: RollingMeanRule, readings: readonly NormalizedReading[], now: Date): Evaluation {
  const windowStart = now.getTime() - rule.windowDays * 86_400_000;
  let inWindow = readings.filter((reading) => Date.parse(reading.measuredAt) >= windowStart && Date.parse(reading.measuredAt) <= now.getTime());
  if (rule.discardFirstDay && inWindow.length > 0) {
    const firstDayEnd = Date.parse(inWindow[0].measuredAt) + 86_400_000;
    inWindow = inWindow.filter((reading) => Date.parse(reading.measuredAt) >= firstDayEnd);
  }
  if (inWindow.length < rule.minReadings) return undetermined();
  const means = Object.fromEntries(
    Object.keys(rule.limits).map((field) => {
      const values = inWindow.map((reading) => reading.values[field]).filter((value) => value !== undefined);
      return [field, values.reduce((sum, value) => sum + value, 0) / values.length];
    }),
  );
  const reached = Object.entries(rule.limits).filter(([field, limit]) => means[field] >= limit);
  if (reached.length === 0) {
    return Object.entries(rule.limits).every(([field, limit]) => means[field] <= limit - rule.clearMargin) ? clear() : undetermined();
  }
  const fields = Object.keys(rule.limits);
  const meanText = fields.map((field) => formatNumber(Math.round(means[field] * 10) / 10)).join('/');
  const limitText = fields.map((field) => rule.limits[field]).join('/');
  return {
    state: 'firing',
    reason: `${rule.title}: ${rule.windowDays}-day mean ${meanText} mmHg from ${inWindow.length} readings reaches ${limitText} mmHg`,
    evidence: inWindow,
    since: inWindow[0].measuredAt,
  };
}
