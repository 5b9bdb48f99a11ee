const MINUTE = 60_000;

const toMinutes = (clock: string): number => {
  const [hours, minutes] = clock.split(':').map(Number);
  return hours * 60 + minutes;
};

/** Minutes since local midnight of `at` in `timeZone`, with seconds. */
function localMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const part = (type: string) => Number(parts.find((entry) => entry.type === type)?.value ?? 0);
  return part('hour') * 60 + part('minute') + part('second') / 60;
}

/**
 * When a message may go out: `now` outside the patient's quiet hours, else the end of them (local to the
 * patient's time zone; a window may span midnight, e.g. 21:00-08:00). A deferred message is sent then, not
 * dropped. Start equal to end means no quiet hours.
 */
export function sendableAt(now: Date, timeZone: string, quietHours: { start: string; end: string } | null): Date {
  if (!quietHours) return now;
  const start = toMinutes(quietHours.start);
  const end = toMinutes(quietHours.end);
  if (start === end) return now;
  const local = localMinutes(now, timeZone);
  const quiet = start < end ? local >= start && local < end : local >= start || local < end;
  if (!quiet) return now;
  const wait = (end - local + 1440) % 1440;
  return new Date(now.getTime() + Math.ceil(wait * MINUTE));
}
