import { Logger, type FactoryProvider } from '@nestjs/common';
import { CLOCK, systemClock, type Clock } from '@rpm/clinical';
import { readSimulatedClockFile } from '@rpm/config';

/** How often at most the file is read again: cheap enough for every request, fresh enough for a harness. */
const REREAD_MS = 50;

/**
 * A clock that reads the simulated time from a file another process rewrites (SIMULATED_CLOCK_FILE, the
 * virtual clinic). It re-reads the file at most every 50 ms; a half-written or unreadable file keeps the
 * last good time, so a writer should still replace the file atomically (write, then rename).
 */
export class FileClock implements Clock {
  private at: number;
  private readAt = 0;

  constructor(
    private readonly file: string,
    private readonly wallClock: () => number = Date.now,
  ) {
    const first = readSimulatedClockFile(file);
    if (typeof first === 'string') throw new Error(`SIMULATED_CLOCK_FILE ${file} ${first}`);
    this.at = first.getTime();
    this.readAt = this.wallClock();
  }

  now(): Date {
    const wall = this.wallClock();
    if (wall - this.readAt >= REREAD_MS) {
      this.readAt = wall;
      const read = readSimulatedClockFile(this.file);
      if (typeof read !== 'string') this.at = read.getTime();
    }
    return new Date(this.at);
  }
}

/**
 * The CLOCK provider of an app: the system clock, or with `simulatedClockFile` set, a FileClock, announced
 * by a loud warning at start so nobody mistakes a rehearsal for the real thing.
 */
export function clockProvider(app: string, simulatedClockFile: string | undefined): FactoryProvider<Clock> {
  return {
    provide: CLOCK,
    useFactory: () => {
      if (!simulatedClockFile) return systemClock;
      const clock = new FileClock(simulatedClockFile);
      new Logger(app).warn({
        message: `${app} RUNS ON A SIMULATED CLOCK (SIMULATED_CLOCK_FILE): follow-up, visits and reading timestamps follow ${simulatedClockFile}, not the real time. Never use this with real patients.`,
        simulatedNow: clock.now().toISOString(),
      });
      return clock;
    },
  };
}
