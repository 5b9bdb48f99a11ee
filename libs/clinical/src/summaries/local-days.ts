/** Calendar days in a patient's own time zone: "a day with data" is the patient's day, not UTC's. */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // en-CA formats as YYYY-MM-DD.
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The local calendar date (YYYY-MM-DD) of an instant in an IANA time zone. */
export function localDate(at: Date | string, timeZone: string): string {
  return formatterFor(timeZone).format(typeof at === 'string' ? new Date(at) : at);
}

/**
 * The `count` local dates ending with today's, newest first. Stepped on the calendar rather than by 24 h,
 * so a 23- or 25-hour day at a daylight-saving change neither skips nor repeats a date.
 */
export function lastLocalDates(now: Date, timeZone: string, count: number): string[] {
  const [year, month, day] = localDate(now, timeZone).split('-').map(Number);
  return Array.from({ length: count }, (_, back) => new Date(Date.UTC(year, month - 1, day - back)).toISOString().slice(0, 10));
}

/**
 * Days with at least one reading among the last `ofDays` local days (today included), as US RPM counts
 * them (CPT 99454: 16 of 30). Readings outside those days are ignored, so callers may over-fetch.
 */
export function daysWithData(measuredAt: readonly string[], timeZone: string, now: Date, ofDays: number): number {
  const window = new Set(lastLocalDates(now, timeZone, ofDays));
  const seen = new Set<string>();
  for (const at of measuredAt) {
    const date = localDate(at, timeZone);
    if (window.has(date)) seen.add(date);
  }
  return seen.size;
}

/** How far back to fetch so that `ofDays` local days are covered whatever the zone and DST: one spare day. */
export const localDaysFetchMs = (ofDays: number): number => (ofDays + 1) * 86_400_000;
