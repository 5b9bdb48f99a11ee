import type { NormalizedReading } from '@rpm/contracts';
import { MG_DL_PER_MMOL_L } from '../units';

/**
 * Consensus CGM metrics (Battelino 2019, Diabetes Care 42:1593; docs/clinical-references.md), exact:
 * classify on these values and round only for display (roundCgmSummary).
 */
export interface GlucoseSummary {
  readings: number;
  meanMgDl: number;
  /** Coefficient of variation, %: target <= 36 (Battelino 2019). */
  cvPercent: number;
  /** Glucose management indicator, %: 3.31 + 0.02392 x mean mg/dL (Bergenstal 2018). */
  gmiPercent: number;
  /** Time in ranges, % of readings: TIR 70-180 mg/dL (3.9-10.0 mmol/L), below 70 and 54, above 180 and 250. */
  tir: number;
  tbr70: number;
  tbr54: number;
  tar180: number;
  tar250: number;
}

export interface CgmSummary extends GlucoseSummary {
  /** Share of the window the readings cover, each reading standing for its sensor's own interval, %. */
  coveragePercent: number;
}

export type GlucoseBand = 'below54' | 'below70' | 'inRange' | 'above180' | 'above250';

/**
 * The consensus' own bands for each unit (Battelino 2019 publishes both): < 54, 54-69, 70-180, 181-250,
 * > 250 mg/dL and < 3.0, 3.0-3.8, 3.9-10.0, 10.1-13.9, > 13.9 mmol/L. A reading is classified in the unit it
 * was measured in: converting 10.0 mmol/L gives 180.16 mg/dL, which the mg/dL bands would count as high.
 */
const BANDS: Record<string, { below54: number; below70: number; above180: number; above250: number }> = {
  'mg/dL': { below54: 54, below70: 70, above180: 180, above250: 250 },
  'mmol/L': { below54: 3.0, below70: 3.9, above180: 10.0, above250: 13.9 },
};

/** The reading's glucose in the unit it was measured in, when the consensus has bands for that unit; else mg/dL. */
function measuredGlucose(reading: NormalizedReading): { value: number; unit: string } | null {
  const original = reading.original?.values.value;
  if (original !== undefined && BANDS[reading.original.unit]) return { value: original, unit: reading.original.unit };
  const value = reading.values.value;
  return value === undefined ? null : { value, unit: 'mg/dL' };
}

/** The consensus band of one glucose reading, judged in its measured unit. */
export function glucoseBand(reading: NormalizedReading): GlucoseBand | null {
  const measured = measuredGlucose(reading);
  if (!measured) return null;
  const limits = BANDS[measured.unit];
  if (measured.value < limits.below54) return 'below54';
  if (measured.value < limits.below70) return 'below70';
  if (measured.value > limits.above250) return 'above250';
  if (measured.value > limits.above180) return 'above180';
  return 'inRange';
}

/** mg/dL without the storage rounding: an mmol/L reading converted exactly (18.0156 mg/dL per mmol/L). */
export function glucoseMgDl(reading: NormalizedReading): number | null {
  const measured = measuredGlucose(reading);
  if (!measured) return null;
  return measured.unit === 'mmol/L' ? measured.value * MG_DL_PER_MMOL_L : measured.value;
}

/** Bounds of a plausible CGM sampling interval, minutes: 1-minute sensors to 15-minute ones (Libre 1 history). */
export const CGM_INTERVAL_BOUNDS_MINUTES = { min: 1, max: 15 } as const;
/** Interval assumed for a device with a single reading: the common 5-minute CGM. */
const DEFAULT_INTERVAL_MINUTES = 5;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/**
 * A sensor's own sampling interval, minutes: the median gap between its consecutive readings (robust to
 * dropouts while most gaps are the nominal one), bounded to 1-15 min.
 */
export function inferIntervalMinutes(measuredAt: readonly string[]): number {
  const times = measuredAt.map((at) => Date.parse(at)).sort((a, b) => a - b);
  const gaps: number[] = [];
  for (let index = 1; index < times.length; index++) if (times[index] > times[index - 1]) gaps.push((times[index] - times[index - 1]) / 60_000);
  if (gaps.length === 0) return DEFAULT_INTERVAL_MINUTES;
  const { min, max } = CGM_INTERVAL_BOUNDS_MINUTES;
  return Math.min(max, Math.max(min, median(gaps)));
}

/**
 * Data sufficiency (Battelino 2019: >= 70 % of possible readings): each device's readings count for its
 * own sampling interval, so a 15-minute sensor worn all fortnight covers it fully, as a 5-minute one does.
 * Capped at 100 % (two sensors worn at once).
 */
export function cgmCoverage(
  readings: readonly NormalizedReading[],
  windowDays: number,
): { coveragePercent: number; /** The interval of the device with most readings, minutes. */ intervalMinutes: number } {
  const byDevice = new Map<string, string[]>();
  for (const reading of readings) {
    const key = `${reading.deviceId}\u0000${reading.context.source ?? ''}`;
    const times = byDevice.get(key) ?? [];
    times.push(reading.measuredAt);
    byDevice.set(key, times);
  }
  let coveredMinutes = 0;
  let intervalMinutes = DEFAULT_INTERVAL_MINUTES;
  let largest = 0;
  for (const times of byDevice.values()) {
    const interval = inferIntervalMinutes(times);
    coveredMinutes += times.length * interval;
    if (times.length > largest) [largest, intervalMinutes] = [times.length, interval];
  }
  return { coveragePercent: Math.min(100, (coveredMinutes * 100) / (windowDays * 1440)), intervalMinutes };
}

/** The patient's CGM readings (context.source 'cgm') of the glucose metric, summarised over `windowDays`. */
export function summarizeCgm(readings: readonly NormalizedReading[], windowDays: number): CgmSummary | null {
  const cgm = readings.filter((reading) => reading.metric === 'glucose' && reading.context.source === 'cgm' && glucoseMgDl(reading) !== null);
  if (cgm.length === 0) return null;
  const values = cgm.map((reading) => glucoseMgDl(reading)!);
  const bands = cgm.map(glucoseBand);
  const n = values.length;
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  const variance = n > 1 ? values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1) : 0;
  // count x 100 / n: exact whenever the share is a whole percentage, so 70 % compares equal to 70.
  const percentOf = (...wanted: GlucoseBand[]) => (bands.filter((band) => band !== null && wanted.includes(band)).length * 100) / n;
  return {
    readings: n,
    meanMgDl: mean,
    cvPercent: (Math.sqrt(variance) * 100) / mean,
    gmiPercent: 3.31 + 0.02392 * mean,
    tir: percentOf('inRange'),
    tbr70: percentOf('below70', 'below54'),
    tbr54: percentOf('below54'),
    tar180: percentOf('above180', 'above250'),
    tar250: percentOf('above250'),
    coveragePercent: cgmCoverage(cgm, windowDays).coveragePercent,
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

/**
 * Glycaemic target met (Battelino 2019: time in range 70-180 > 70 %), judged on the exact value: a share of
 * exactly 70 % does not meet it, as the time-in-range rule treats it (it fires at 70 % or below).
 */
export const cgmInTarget = (summary: CgmSummary): boolean => summary.tir > 70;
