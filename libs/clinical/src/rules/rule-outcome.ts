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

export function formatDuration(minutes: number): string {
  if (minutes < 90) return `${Math.round(minutes)} min`;
  if (minutes < 48 * 60) return `${formatNumber(minutes / 60)} h`;
  return `${formatNumber(minutes / 1440)} days`;
}
