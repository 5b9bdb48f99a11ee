/** Time arithmetic shared by the physiology models. Instants are epoch milliseconds (UTC). */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/**
 * A patient's local day: the models think in local clock time (breakfast at 07:30, the morning blood
 * pressure before medication) and emit UTC instants. A fixed UTC offset is enough for a simulation.
 */
export interface LocalClock {
  utcOffsetMinutes: number;
}

/** Index of the local calendar day that contains the instant (days since 1970-01-01, local). */
export const localDayIndex = (timeMs: number, clock: LocalClock): number => Math.floor((timeMs + clock.utcOffsetMinutes * MINUTE_MS) / DAY_MS);

/** The UTC instant of local midnight starting local day `dayIndex`. */
export const localMidnight = (dayIndex: number, clock: LocalClock): number => dayIndex * DAY_MS - clock.utcOffsetMinutes * MINUTE_MS;

/** Local hour of the day as a fraction, 0 <= h < 24. */
export const localHour = (timeMs: number, clock: LocalClock): number => (timeMs - localMidnight(localDayIndex(timeMs, clock), clock)) / HOUR_MS;

/** Instants `stepMs` apart, aligned to the grid `offsetMs + k * stepMs`, with from < t <= to. */
export function gridTimes(fromMs: number, toMs: number, stepMs: number, offsetMs = 0): number[] {
  const times: number[] = [];
  let k = Math.floor((fromMs - offsetMs) / stepMs) + 1;
  for (let t = offsetMs + k * stepMs; t <= toMs; t = offsetMs + ++k * stepMs) if (t > fromMs) times.push(t);
  return times;
}

export const isoUtc = (timeMs: number): string => new Date(timeMs).toISOString();
