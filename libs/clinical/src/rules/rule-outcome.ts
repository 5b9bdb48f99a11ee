import type { NormalizedReading } from '@rpm/contracts';

export interface RuleFacts {
  /** Evaluation time: the measurement time of the newest reading, or the clock for scheduled checks. */
  now: Date;
  /** The patient's readings of the rule's metric in the window the rule needs, in measurement order. */
  readings: readonly NormalizedReading[];
  /** The patient's IANA time zone, for time-of-day windows. */
  timeZone: string;
}

/**
 * firing: the condition holds; clear: it is over (beyond any hysteresis); undetermined: not enough data,
 * or inside the hysteresis band, so whatever state the episode is in stays.
 */
export type RuleState = 'firing' | 'clear' | 'undetermined';

export interface Evaluation {
  state: RuleState;
  /** One sentence a clinician reads to know why, when firing. */
  reason?: string;
  /** The readings behind a firing outcome. */
  evidence: NormalizedReading[];
  /** Measurement time at which the condition began. */
  since?: string;
}

export const undetermined = (): Evaluation => ({ state: 'undetermined', evidence: [] });
export const clear = (): Evaluation => ({ state: 'clear', evidence: [] });

export const minutesBetween = (a: string, b: string): number => (Date.parse(b) - Date.parse(a)) / 60_000;

export function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** A duration in words a clinician reads: "under a minute", "12 min", "2.5 h", "3 days". */
export function formatDuration(minutes: number): string {
  if (minutes < 1) return 'under a minute';
  if (minutes < 90) return `${Math.round(minutes)} min`;
  if (minutes < 48 * 60) return `${formatNumber(minutes / 60)} h`;
  return `${formatNumber(minutes / 1440)} days`;
}

/** How long a run of readings lasted, as a phrase: "within a minute" or "over 15 min". */
export const spanPhrase = (minutes: number): string => (minutes < 1 ? 'within a minute' : `over ${formatDuration(minutes)}`);

const localFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * An instant as local time in the patient's time zone, "14:05 on 3 Mar" (a clinician reads the patient's
 * clock, not an ISO timestamp in UTC); the year is added when it is not the year of `now`.
 */
export function formatLocalTime(at: string | Date, timeZone: string, now: Date = new Date()): string {
  const key = timeZone;
  let formatter = localFormatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
    });
    localFormatters.set(key, formatter);
  }
  const part = (date: Date, type: string) => formatter.formatToParts(date).find((item) => item.type === type)?.value ?? '';
  const date = typeof at === 'string' ? new Date(at) : at;
  const text = `${part(date, 'hour')}:${part(date, 'minute')} on ${part(date, 'day')} ${part(date, 'month')}`;
  return part(date, 'year') === part(now, 'year') ? text : `${text} ${part(date, 'year')}`;
}
