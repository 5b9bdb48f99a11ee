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

const COMPARE = {
  below: (value: number, limit: number) => value < limit,
  at_most: (value: number, limit: number) => value <= limit,
  above: (value: number, limit: number) => value > limit,
  at_least: (value: number, limit: number) => value >= limit,
} as const;
const WORDS = { below: 'below', at_most: 'at or below', above: 'above', at_least: 'at or above' } as const;

/** One decimal, or two when one would print the limit itself (69.96 % is not "70.0 % below 70 %"). */
function formatPercent(value: number, limit: number): string {
  const oneDecimal = Math.round(value * 10) / 10;
  return oneDecimal === limit && value !== limit ? value.toFixed(2) : formatNumber(oneDecimal);
}

/**
 * A CGM summary statistic over windowDays (the summaries' own arithmetic, summarizeCgm), evaluated only with
 * sufficient data, compared exactly as the consensus states each target (Battelino 2019): TIR > 70 % and TBR < 4 %
 * are strict, so exactly 70 % in range or 4 % below fires ("at most 70", "at least 4"); CV <= 36 % is not, so
 * exactly 36 % meets it ("above 36").
 */
export function evaluateGlucoseWindow(rule: GlucoseWindowRule, readings: readonly NormalizedReading[], now: Date): Evaluation {
  const windowStart = now.getTime() - rule.windowDays * 86_400_000;
  const cgm = readings.filter(
    (reading) => reading.context.source === 'cgm' && Date.parse(reading.measuredAt) >= windowStart && Date.parse(reading.measuredAt) <= now.getTime(),
  );
  const summary = summarizeCgm(cgm, rule.windowDays);
  if (!summary || summary.coveragePercent < rule.minCoveragePercent) return undetermined();
  const value = rule.statistic === 'cv' ? summary.cvPercent : summary[rule.statistic];
  const fires = COMPARE[rule.comparator](value, rule.percent);
  if (!fires) return clear();
  return {
    state: 'firing',
    reason:
      `${rule.title}: ${LABEL[rule.statistic]} ${formatPercent(value, rule.percent)}% over ${rule.windowDays} days is ${WORDS[rule.comparator]} ${rule.percent}% ` +
      `(${summary.readings} CGM readings, ${formatNumber(Math.round(summary.coveragePercent))}% coverage)`,
    evidence: [],
    since: cgm[0].measuredAt,
  };
}
