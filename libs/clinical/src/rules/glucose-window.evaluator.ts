import type { NormalizedReading } from '@rpm/contracts';
import { summarizeCgm } from '../summaries/cgm-summary';
import type { GlucoseWindowRule } from './rule-definition.schema';
import { clear, formatNumber, undetermined, type Evaluation } from './rule-outcome';

const LABEL = {
  cv: 'glucose CV',
  tir: 'time in range 70-180 mg/dL',
  tbr70: 'time below 70 mg/dL',
  tbr54: 'time below 54 mg/dL',
  tar180: 'time above 180 mg/dL',
  tar250: 'time above 250 mg/dL',
} as const;

/** One decimal, or two when one would print the limit itself (69.96 % is not "70.0 % below 70 %"). */
function formatPercent(value: number, limit: number): string {
  const oneDecimal = Math.round(value * 10) / 10;
  return oneDecimal === limit && value !== limit ? value.toFixed(2) : formatNumber(oneDecimal);
}

/**
 * A CGM summary statistic over windowDays (the summaries' own arithmetic, summarizeCgm), evaluated only with
 * sufficient data. Compared exactly: "below 70" fires under 70 % and "above 4" over 4 %, so a patient exactly
 * at a consensus target (TIR 70 %, TBR 4 %, CV 36 %) meets it.
 */
export function evaluateGlucoseWindow(rule: GlucoseWindowRule, readings: readonly NormalizedReading[], now: Date): Evaluation {
  const windowStart = now.getTime() - rule.windowDays * 86_400_000;
  const cgm = readings.filter(
    (reading) => reading.context.source === 'cgm' && Date.parse(reading.measuredAt) >= windowStart && Date.parse(reading.measuredAt) <= now.getTime(),
  );
  const summary = summarizeCgm(cgm, rule.windowDays);
  if (!summary || summary.coveragePercent < rule.minCoveragePercent) return undetermined();
  const value = rule.statistic === 'cv' ? summary.cvPercent : summary[rule.statistic];
  const fires = rule.comparator === 'below' ? value < rule.percent : value > rule.percent;
  if (!fires) return clear();
  return {
    state: 'firing',
    reason:
      `${rule.title}: ${LABEL[rule.statistic]} ${formatPercent(value, rule.percent)}% over ${rule.windowDays} days is ${rule.comparator} ${rule.percent}% ` +
      `(${summary.readings} CGM readings, ${formatNumber(Math.round(summary.coveragePercent))}% coverage)`,
    evidence: [],
    since: cgm[0].measuredAt,
  };
}
