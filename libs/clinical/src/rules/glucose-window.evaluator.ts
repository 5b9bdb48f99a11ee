import type { NormalizedReading } from '@rpm/contracts';
import { summarizeGlucose } from './glucose-summary';
import type { GlucoseWindowRule } from './rule-definition.schema';
import { clear, formatNumber, undetermined, type Evaluation } from './rule-outcome';

const CGM_READINGS_PER_DAY = 288;
const LABEL = {
  cv: 'glucose CV',
  tir: 'time in range 70-180 mg/dL',
  tbr70: 'time below 70 mg/dL',
  tbr54: 'time below 54 mg/dL',
  tar180: 'time above 180 mg/dL',
  tar250: 'time above 250 mg/dL',
} as const;

/** A CGM summary statistic over windowDays, evaluated only with sufficient data (coverage). */
export function evaluateGlucoseWindow(rule: GlucoseWindowRule, readings: readonly NormalizedReading[], now: Date): Evaluation {
  const windowStart = now.getTime() - rule.windowDays * 86_400_000;
  const cgm = readings.filter(
    (reading) => reading.context.source === 'cgm' && Date.parse(reading.measuredAt) >= windowStart && Date.parse(reading.measuredAt) <= now.getTime(),
  );
  const coverage = (cgm.length / (rule.windowDays * CGM_READINGS_PER_DAY)) * 100;
  const summary = summarizeGlucose(cgm);
  if (!summary || coverage < rule.minCoveragePercent) return undetermined();
  const value = rule.statistic === 'cv' ? summary.cvPercent : summary[rule.statistic];
  const fires = rule.comparator === 'below' ? value < rule.percent : value > rule.percent;
  if (!fires) return clear();
  return {
    state: 'firing',
    reason:
      `${rule.title}: ${LABEL[rule.statistic]} ${formatNumber(value)}% over ${rule.windowDays} days is ${rule.comparator} ${rule.percent}% ` +
      `(${summary.readings} CGM readings, ${formatNumber(Math.round(coverage))}% coverage)`,
    evidence: [],
    since: cgm[0].measuredAt,
  };
}
