import type { Clock } from '@rpm/clinical';

/** A job that follows the simulated clock: it is due each time the clock enters a new multiple of `everyMs`. */
export interface SimulatedJob {
  name: string;
  everyMs: number;
}

/**
 * When the platform runs on a simulated clock (SIMULATED_CLOCK_FILE), a wall-clock interval would run the
 * follow-up job at the wrong simulated times, or never within a simulated day. This schedule instead
 * watches the clock: a job is due once the simulated time crosses its next slot (the next multiple of its
 * interval since the epoch, UTC), and runs once for that crossing however many slots a jump passed, as a
 * job that was down does not run the runs it missed. Pure: the caller polls `tick` and starts the jobs.
 */
export class SimulatedSchedule {
  private readonly slots = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly jobs: readonly SimulatedJob[],
  ) {
    // Nothing is due at start: the first run is at the first slot the clock crosses, as a wall-clock interval's first tick.
    const now = clock.now().getTime();
    for (const job of jobs) this.slots.set(job.name, Math.floor(now / job.everyMs));
  }

  /**
   * Offers each due job to `start` with the simulated time to run it at; `start` answers false when it
   * cannot start the job now (its previous run is still going), and the crossing stays due until it can.
   */
  tick(start: (job: SimulatedJob, now: Date) => boolean): void {
    const now = this.clock.now();
    for (const job of this.jobs) {
      const slot = Math.floor(now.getTime() / job.everyMs);
      if (slot > this.slots.get(job.name)! && start(job, now)) this.slots.set(job.name, slot);
    }
  }
}
