import type { NormalizedReading } from '@rpm/contracts';
import { round1, roundCgmSummary, summarizeCgm, type CgmSummary } from '../summaries/cgm-summary';
import { MG_DL_PER_MMOL_L } from '../units';
import { datesBetween, localTime } from './local-time';

/**
 * The Ambulatory Glucose Profile (AGP) report of the international consensus on time in range (Battelino et
 * al. 2019, Diabetes Care 42:1593) in the AGP v4 layout: the metrics panel, the stacked bar of the five glucose
 * ranges, the modal day (5th/25th/50th/75th/95th percentiles per bin of local time) and one small profile per
 * day. Pure: the caller fetches the readings; the metrics are libs/clinical's summary (summarizeCgm), not
 * recomputed here.
 */

/** Modal-day bins, minutes of local time: 96 bins a day. The percentiles are not smoothed across bins. */
export const AGP_BIN_MINUTES = 15;
/** Fewest readings a bin's percentiles are drawn from; below it the bin is a gap, not a guess. */
export const AGP_MIN_READINGS_PER_BIN = 5;
/** Data sufficiency: at least 70 % of possible CGM readings over the period (Battelino 2019). */
export const AGP_MIN_COVERAGE_PERCENT = 70;
/** The consensus period: 14 days (Battelino 2019). */
export const AGP_DEFAULT_DAYS = 14;
export const AGP_PERCENTILES = [5, 25, 50, 75, 95] as const;

export type GlucoseRangeKey = 'veryLow' | 'low' | 'inRange' | 'high' | 'veryHigh';

/**
 * The five ranges of the AGP's stacked bar with the consensus targets (Battelino 2019, adults with type 1 or
 * type 2 diabetes; older or high-risk adults: in range > 50 %, below 70 < 1 %). The mmol/L bounds are the
 * consensus' own published pairs, not conversions.
 */
export const GLUCOSE_RANGES: readonly {
  key: GlucoseRangeKey;
  label: string;
  mgDl: string;
  mmolL: string;
  target: { comparator: '<' | '>'; percent: number; of: string };
}[] = [
  { key: 'veryHigh', label: 'Very high', mgDl: '>250', mmolL: '>13.9', target: { comparator: '<', percent: 5, of: '>250 mg/dL' } },
  { key: 'high', label: 'High', mgDl: '181–250', mmolL: '10.1–13.9', target: { comparator: '<', percent: 25, of: '>180 mg/dL' } },
  { key: 'inRange', label: 'Target range', mgDl: '70–180', mmolL: '3.9–10.0', target: { comparator: '>', percent: 70, of: '70–180 mg/dL' } },
  { key: 'low', label: 'Low', mgDl: '54–69', mmolL: '3.0–3.8', target: { comparator: '<', percent: 4, of: '<70 mg/dL' } },
  { key: 'veryLow', label: 'Very low', mgDl: '<54', mmolL: '<3.0', target: { comparator: '<', percent: 1, of: '<54 mg/dL' } },
];

export interface AgpRange {
  key: GlucoseRangeKey;
  label: string;
  mgDl: string;
  mmolL: string;
  /** % of the period's CGM readings in this range. */
  percent: number;
  target: { comparator: '<' | '>'; percent: number; of: string };
}

export interface AgpBin {
  /** Minutes of local time the bin starts at: 0, 15, ..., 1425. */
  startMinute: number;
  readings: number;
  /** Null when the bin holds fewer than AGP_MIN_READINGS_PER_BIN readings. */
  p5: number | null;
  p25: number | null;
  p50: number | null;
  p75: number | null;
  p95: number | null;
}

export interface AgpDay {
  /** Local date, YYYY-MM-DD. */
  date: string;
  readings: number;
  /** [minute of local day, mg/dL], in time order. */
  points: [number, number][];
  /** Time in range 70-180 of that day's readings, %; null on a day without readings. */
  tir: number | null;
}

export interface AgpSufficiency {
  sufficient: boolean;
  coveragePercent: number;
  minimumCoveragePercent: number;
  /** Local days of the period with at least one CGM reading, of the local days the period touches. */
  daysWithData: number;
  ofDays: number;
  /** Why the data is not enough, in words; null when it is. */
  message: string | null;
}

export interface AgpReport {
  from: string;
  to: string;
  timeZone: string;
  /** Length of the period in days (to - from). */
  periodDays: number;
  binMinutes: number;
  /** The consensus metrics (mean, GMI, CV, time in ranges, coverage); null without CGM readings. */
  metrics: (CgmSummary & { meanMmolL: number }) | null;
  sufficiency: AgpSufficiency;
  /** The stacked bar, very high first (top to bottom, as AGP v4 draws it); null without CGM readings. */
  ranges: AgpRange[] | null;
  /** The modal day: 1440 / binMinutes bins, each with its percentiles or null. */
  profile: AgpBin[];
  /** Bins with percentiles: 0 means there is no curve to draw. */
  binsWithData: number;
  dailyProfiles: AgpDay[];
}

/** Percentile p (0-100) of ascending values, linear between closest ranks (Hyndman-Fan type 7, Excel PERCENTILE.INC). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('percentile of no values');
  const rank = (p / 100) * (sorted.length - 1);
  const below = Math.floor(rank);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
}

const isCgmGlucose = (reading: NormalizedReading): boolean =>
  reading.metric === 'glucose' && reading.context.source === 'cgm' && reading.values.value !== undefined;

export interface AgpOptions {
  from: Date;
  /** Exclusive. */
  to: Date;
  timeZone: string;
  binMinutes?: number;
}

/** The AGP report of the CGM readings in [from, to); readings outside the period, meter readings and other metrics are ignored. */
export function buildAgpReport(readings: readonly NormalizedReading[], options: AgpOptions): AgpReport {
  const { from, to, timeZone } = options;
  const binMinutes = options.binMinutes ?? AGP_BIN_MINUTES;
  if (!(to.getTime() > from.getTime())) throw new Error('the period must end after it starts');
  if (1440 % binMinutes !== 0) throw new Error('bins must divide the day');
  const periodDays = (to.getTime() - from.getTime()) / 86_400_000;
  const cgm = readings.filter((reading) => {
    const at = Date.parse(reading.measuredAt);
    return isCgmGlucose(reading) && at >= from.getTime() && at < to.getTime();
  });

  const bins: number[][] = Array.from({ length: 1440 / binMinutes }, () => []);
  const dates = datesBetween(localTime(from, timeZone).date, localTime(new Date(to.getTime() - 1), timeZone).date);
  const byDate = new Map<string, NormalizedReading[]>(dates.map((date) => [date, []]));
  const points = new Map<string, [number, number][]>(dates.map((date) => [date, []]));
  for (const reading of cgm) {
    const { date, minuteOfDay } = localTime(reading.measuredAt, timeZone);
    bins[Math.floor(minuteOfDay / binMinutes)].push(reading.values.value);
    byDate.get(date)?.push(reading);
    points.get(date)?.push([minuteOfDay, reading.values.value]);
  }

  const profile = bins.map((values, index): AgpBin => {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (p: number) => (sorted.length >= AGP_MIN_READINGS_PER_BIN ? percentile(sorted, p) : null);
    return { startMinute: index * binMinutes, readings: values.length, p5: at(5), p25: at(25), p50: at(50), p75: at(75), p95: at(95) };
  });

  const summary = summarizeCgm(cgm, periodDays);
  const dailyProfiles = dates.map((date): AgpDay => {
    const day = byDate.get(date)!;
    return { date, readings: day.length, points: points.get(date)!, tir: summarizeCgm(day, 1)?.tir ?? null };
  });
  const daysWithData = dailyProfiles.filter((day) => day.readings > 0).length;
  const coveragePercent = summary?.coveragePercent ?? 0;
  const sufficient = summary !== null && coveragePercent >= AGP_MIN_COVERAGE_PERCENT;
  const message = !summary
    ? 'No CGM readings in this period.'
    : sufficient
      ? null
      : `CGM active ${round1(coveragePercent)}% of the period: at least ${AGP_MIN_COVERAGE_PERCENT}% is needed for these metrics to be reliable (Battelino 2019).`;

  const percents: Record<GlucoseRangeKey, number> | null = summary && {
    veryLow: summary.tbr54,
    low: summary.tbr70 - summary.tbr54,
    inRange: summary.tir,
    high: summary.tar180 - summary.tar250,
    veryHigh: summary.tar250,
  };
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    timeZone,
    periodDays,
    binMinutes,
    metrics: summary && { ...summary, meanMmolL: summary.meanMgDl / MG_DL_PER_MMOL_L },
    sufficiency: { sufficient, coveragePercent, minimumCoveragePercent: AGP_MIN_COVERAGE_PERCENT, daysWithData, ofDays: dates.length, message },
    ranges: percents && GLUCOSE_RANGES.map((range) => ({ ...range, target: { ...range.target }, percent: percents[range.key] })),
    profile,
    binsWithData: profile.filter((bin) => bin.p50 !== null).length,
    dailyProfiles,
  };
}

/** For display: metrics as the summary rounds them, mmol/L to one decimal, percentiles and percents to one decimal. */
export function roundAgpReport(report: AgpReport): AgpReport {
  const roundOrNull = (value: number | null) => (value === null ? null : round1(value));
  return {
    ...report,
    periodDays: round1(report.periodDays),
    metrics: report.metrics && { ...roundCgmSummary(report.metrics), meanMmolL: round1(report.metrics.meanMmolL) },
    sufficiency: { ...report.sufficiency, coveragePercent: round1(report.sufficiency.coveragePercent) },
    ranges: report.ranges && report.ranges.map((range) => ({ ...range, percent: round1(range.percent) })),
    profile: report.profile.map((bin) => ({
      ...bin,
      p5: roundOrNull(bin.p5),
      p25: roundOrNull(bin.p25),
      p50: roundOrNull(bin.p50),
      p75: roundOrNull(bin.p75),
      p95: roundOrNull(bin.p95),
    })),
    dailyProfiles: report.dailyProfiles.map((day) => ({ ...day, tir: roundOrNull(day.tir) })),
  };
}
