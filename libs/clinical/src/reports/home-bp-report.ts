import type { NormalizedReading } from '@rpm/contracts';
import { round1 } from '../summaries/cgm-summary';
import { HOME_BP_MIN_READINGS, HOME_BP_TARGET, summarizeHomeBp, type HomeBpSummary } from '../summaries/home-bp-summary';
import { datesBetween, localTime } from './local-time';

/**
 * The home blood-pressure report (ESH 2023 practice guidelines for home BP monitoring): duplicate readings
 * morning and evening over up to 7 days, the first day discarded, the mean of the rest judged against
 * 135/85 mmHg; beside it the morning and evening means (morning hypertension shows in the first) and the
 * readings of each day. The overall mean and its control are libs/clinical's summary (summarizeHomeBp).
 * Pure: the caller fetches the readings.
 */

/** The default period: the 7-day home schedule (ESH 2023). */
export const HOME_BP_REPORT_DEFAULT_DAYS = 7;
/** Readings before local noon count as morning, from noon on as evening. */
export const MORNING_ENDS_AT_MINUTE = 12 * 60;

export interface BpMean {
  systolic: number;
  diastolic: number;
  readings: number;
}

export interface HomeBpDay {
  date: string;
  /** The first day with readings is left out of every mean (ESH). */
  discarded: boolean;
  readings: number;
  morning: BpMean | null;
  evening: BpMean | null;
  /** Each reading: [minute of local day, systolic, diastolic], in time order. */
  points: [number, number, number][];
}

export interface HomeBpReport {
  from: string;
  to: string;
  timeZone: string;
  target: { systolic: number; diastolic: number };
  /** The mean over the days kept and whether it is below target; null when too few readings to judge. */
  mean: HomeBpSummary | null;
  morning: BpMean | null;
  evening: BpMean | null;
  /** Readings per day over the days kept that have readings (ESH: 2 morning + 2 evening = 4). */
  readingsPerDay: number | null;
  days: HomeBpDay[];
  /** Why there is no mean, in words; null when there is one. */
  message: string | null;
}

function meanOf(readings: readonly NormalizedReading[]): BpMean | null {
  if (readings.length === 0) return null;
  const sum = (field: 'systolic' | 'diastolic') => readings.reduce((total, reading) => total + reading.values[field], 0);
  return { systolic: sum('systolic') / readings.length, diastolic: sum('diastolic') / readings.length, readings: readings.length };
}

export interface HomeBpReportOptions {
  from: Date;
  /** Exclusive. */
  to: Date;
  timeZone: string;
}

export function buildHomeBpReport(readings: readonly NormalizedReading[], options: HomeBpReportOptions): HomeBpReport {
  const { from, to, timeZone } = options;
  if (!(to.getTime() > from.getTime())) throw new Error('the period must end after it starts');
  const bp = readings.filter((reading) => {
    const at = Date.parse(reading.measuredAt);
    return (
      reading.metric === 'blood_pressure' &&
      reading.values.systolic !== undefined &&
      reading.values.diastolic !== undefined &&
      at >= from.getTime() &&
      at < to.getTime()
    );
  });
  const dates = datesBetween(localTime(from, timeZone).date, localTime(new Date(to.getTime() - 1), timeZone).date);
  const located = bp.map((reading) => ({ reading, ...localTime(reading.measuredAt, timeZone) }));
  const firstDay = located.length ? located.reduce((first, entry) => (entry.date < first ? entry.date : first), located[0].date) : null;
  const kept = located.filter((entry) => entry.date !== firstDay);
  const isMorning = (entry: { minuteOfDay: number }) => entry.minuteOfDay < MORNING_ENDS_AT_MINUTE;

  const days = dates.map((date): HomeBpDay => {
    const ofDay = located.filter((entry) => entry.date === date);
    return {
      date,
      discarded: date === firstDay,
      readings: ofDay.length,
      morning: meanOf(ofDay.filter(isMorning).map((entry) => entry.reading)),
      evening: meanOf(ofDay.filter((entry) => !isMorning(entry)).map((entry) => entry.reading)),
      points: ofDay.map((entry) => [entry.minuteOfDay, entry.reading.values.systolic, entry.reading.values.diastolic]),
    };
  });
  const keptDays = days.filter((day) => !day.discarded && day.readings > 0);
  const mean = summarizeHomeBp(bp, timeZone);
  const message = mean
    ? null
    : bp.length === 0
      ? 'No home blood-pressure readings in this period.'
      : `Too few readings to judge: ${kept.length} after the first day is discarded, at least ${HOME_BP_MIN_READINGS} needed (ESH 2023).`;
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    timeZone,
    target: { ...HOME_BP_TARGET },
    mean,
    morning: meanOf(kept.filter(isMorning).map((entry) => entry.reading)),
    evening: meanOf(kept.filter((entry) => !isMorning(entry)).map((entry) => entry.reading)),
    readingsPerDay: keptDays.length ? kept.length / keptDays.length : null,
    days,
    message,
  };
}

/**
 * Whole mmHg for display, as cuffs read. Where rounding would carry a mean that is below its threshold up to
 * it (134.6 shown as 135 beside "controlled: below 135"), one decimal is kept so the figure and the verdict agree.
 */
export function wholeMmHg(value: number, threshold: number): number {
  const whole = Math.round(value);
  return value < threshold && whole >= threshold ? round1(value) : whole;
}

const roundMean = (mean: BpMean | null, target: { systolic: number; diastolic: number }): BpMean | null =>
  mean && { systolic: wholeMmHg(mean.systolic, target.systolic), diastolic: wholeMmHg(mean.diastolic, target.diastolic), readings: mean.readings };

/** For display: whole mmHg (see wholeMmHg), readings per day to one decimal. */
export function roundHomeBpReport(report: HomeBpReport): HomeBpReport {
  const { target } = report;
  return {
    ...report,
    mean: report.mean && {
      ...report.mean,
      systolic: wholeMmHg(report.mean.systolic, target.systolic),
      diastolic: wholeMmHg(report.mean.diastolic, target.diastolic),
    },
    morning: roundMean(report.morning, target),
    evening: roundMean(report.evening, target),
    readingsPerDay: report.readingsPerDay === null ? null : round1(report.readingsPerDay),
    days: report.days.map((day) => ({ ...day, morning: roundMean(day.morning, target), evening: roundMean(day.evening, target) })),
  };
}
