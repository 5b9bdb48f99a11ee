/** Where an instant falls on the patient's own clock: the local date and the minute of the local day. */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export interface LocalTime {
  /** YYYY-MM-DD in the zone. */
  date: string;
  /** Minutes since local midnight, 0-1439: 07:30 is 450 whatever the offset or daylight saving. */
  minuteOfDay: number;
}

export function localTime(at: Date | string, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(typeof at === 'string' ? new Date(at) : at)) parts[part.type] = part.value;
  return { date: `${parts.year}-${parts.month}-${parts.day}`, minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** Every local date from `first` to `last` (YYYY-MM-DD, inclusive), stepped on the calendar, not by 24 h. */
export function datesBetween(first: string, last: string): string[] {
  const dates: string[] = [];
  const [year, month, day] = first.split('-').map(Number);
  for (let step = 0; ; step++) {
    const date = new Date(Date.UTC(year, month - 1, day + step)).toISOString().slice(0, 10);
    if (date > last) return dates;
    dates.push(date);
  }
}
