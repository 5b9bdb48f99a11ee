/**
 * The time the follow-up centre works at. Production uses the system clock; the virtual clinic drives a
 * ManualClock through simulated months.
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
