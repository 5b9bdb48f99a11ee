/**
 * The time the follow-up centre works at. Production uses the system clock; tests drive a ManualClock, and
 * the virtual clinic runs the apps on a FileClock (libs/platform, SIMULATED_CLOCK_FILE) it moves day by day.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  private at: number;

  constructor(start: Date) {
    this.at = start.getTime();
  }

  now(): Date {
    return new Date(this.at);
  }

  set(at: Date): Date {
    this.at = at.getTime();
    return this.now();
  }

  advanceDays(days: number): Date {
    this.at += days * 86_400_000;
    return this.now();
  }
}

/** Injection token for the clock (apps provide systemClock; tests a ManualClock). */
export const CLOCK = Symbol('CLOCK');
