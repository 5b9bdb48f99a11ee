import type { NormalizedReading } from '@rpm/contracts';
import { localDate } from './local-days';

/** Days of home monitoring a mean is taken over (ESH 2021: a 7-day schedule). */
export const HOME_BP_WINDOW_DAYS = 7;
/**
 * Fewest readings, after the first day is discarded, that a mean may be judged on: ESH (Parati 2008/2010;
 * Stergiou 2021) asks for at least 3 days of duplicate morning and evening readings, i.e. 12 readings.
 */
export const HOME_BP_MIN_READINGS = 12;
/** Home BP threshold for hypertension (ESH 2021, ACC/AHA 2017 home equivalent): controlled below 135/85. */
export const HOME_BP_TARGET = { systolic: 135, diastolic: 85 };

/** Exact means: classify on these, round only for display. */
export interface HomeBpSummary {
  systolic: number;
  diastolic: number;
  /** Readings in the window, the discarded first day included. */
  readings: number;
  /** Readings the mean is taken over. */
  readingsInMean: number;
  controlled: boolean;
}

const isHomeBp = (reading: NormalizedReading) =>
  reading.metric === 'blood_pressure' && reading.values.systolic !== undefined && reading.values.diastolic !== undefined;

/** The blood-pressure readings a home mean is taken over: all but those of the first local day (ESH). */
export function homeBpReadingsInMean(readings: readonly NormalizedReading[], timeZone: string, discardFirstDay = true): NormalizedReading[] {
  const bp = readings.filter(isHomeBp);
  if (!discardFirstDay || bp.length === 0) return bp;
  const dates = bp.map((reading) => localDate(reading.measuredAt, timeZone));
  const firstDay = dates.reduce((first, date) => (date < first ? date : first));
  return bp.filter((_, index) => dates[index] !== firstDay);
}

/**
 * The home blood-pressure mean over the readings given (the caller fetches the last 7 days). The readings of
 * the first local day are discarded (ESH: the first day reads high, the patient is not yet used to the
 * routine); readings of one day only, or fewer than HOME_BP_MIN_READINGS left, give no mean (too few to judge).
 */
export function summarizeHomeBp(
  readings: readonly NormalizedReading[],
  timeZone: string,
  options: { minReadings?: number; discardFirstDay?: boolean } = {},
): HomeBpSummary | null {
  const { minReadings = HOME_BP_MIN_READINGS, discardFirstDay = true } = options;
  const bp = readings.filter(isHomeBp);
  if (bp.length === 0) return null;
  const kept = homeBpReadingsInMean(bp, timeZone, discardFirstDay);
  if (kept.length < minReadings) return null;
  const mean = (field: 'systolic' | 'diastolic') => kept.reduce((sum, reading) => sum + reading.values[field], 0) / kept.length;
  const systolic = mean('systolic');
  const diastolic = mean('diastolic');
  return {
    systolic,
    diastolic,
    readings: bp.length,
    readingsInMean: kept.length,
    controlled: systolic < HOME_BP_TARGET.systolic && diastolic < HOME_BP_TARGET.diastolic,
  };
}

/** Whole mmHg, as cuffs and guidelines print them: the one place home BP means are rounded for people. */
export const roundMmHg = (value: number): number => Math.round(value);

/** For display: whole mmHg. */
export function roundHomeBpSummary(summary: HomeBpSummary): { systolic: number; diastolic: number; readings: number; controlled: boolean } {
  return { systolic: roundMmHg(summary.systolic), diastolic: roundMmHg(summary.diastolic), readings: summary.readings, controlled: summary.controlled };
}
