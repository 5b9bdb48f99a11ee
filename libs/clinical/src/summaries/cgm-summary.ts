import type { NormalizedReading } from '@rpm/contracts';
import type { GlucoseSummary } from '../rules/glucose-summary';

/** Readings per day of a CGM that samples every five minutes: the denominator of coverage. */
export const CGM_READINGS_PER_DAY = 288;

/**
 * Consensus CGM metrics (Battelino 2019, Diabetes Care 42:1593), exact: classify on these values and
 * round only for display (roundCgmSummary). The fields are GlucoseSummary's, plus coverage.
 */
export interface CgmSummary extends GlucoseSummary {
  /** Readings received of those a 5-minute sensor takes over the window, %. */
  coveragePercent: number;
}

/** The patient's CGM readings (context.source 'cgm') of the glucose metric, summarised over `windowDays`. */
export function summarizeCgm(readings: readonly NormalizedReading[], windowDays: number): CgmSummary | null {
  const values = readings
    .filter((reading) => reading.metric === 'glucose' && reading.context.source === 'cgm')
    .map((reading) => reading.values.value)
    .filter((value): value is number => value !== undefined);
  if (values.length === 0) return null;
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1) : 0;
  const percentOf = (predicate: (value: number) => boolean) => (values.filter(predicate).length / values.length) * 100;
  return {
    readings: values.length,
    meanMgDl: mean,
    cvPercent: (Math.sqrt(variance) / mean) * 100,
    gmiPercent: 3.31 + 0.02392 * mean,
    tir: percentOf((value) => value >= 70 && value <= 180),
    tbr70: percentOf((value) => value < 70),
    tbr54: percentOf((value) => value < 54),
    tar180: percentOf((value) => value > 180),
    tar250: percentOf((value) => value > 250),
    coveragePercent: (values.length / (windowDays * CGM_READINGS_PER_DAY)) * 100,
  };
}

export const round1 = (value: number): number => Math.round(value * 10) / 10;
const round2 = (value: number): number => Math.round(value * 100) / 100;

/** For display: one decimal, GMI two (as the AGP report prints them). */
export function roundCgmSummary(summary: CgmSummary): CgmSummary {
  return {
    readings: summary.readings,
    meanMgDl: round1(summary.meanMgDl),
    cvPercent: round1(summary.cvPercent),
    gmiPercent: round2(summary.gmiPercent),
    tir: round1(summary.tir),
    tbr70: round1(summary.tbr70),
    tbr54: round1(summary.tbr54),
    tar180: round1(summary.tar180),
    tar250: round1(summary.tar250),
    coveragePercent: round1(summary.coveragePercent),
  };
}

/** Glycaemic target met: time in range above 70 % (Battelino 2019), judged on the exact value. */
export const cgmInTarget = (summary: CgmSummary): boolean => summary.tir > 70;
