export interface WakeableJobOptions {
  /** Runs the job once; rejects when the run failed. */
  run: () => Promise<unknown>;
  /** When the job next has work that is due later (a retry, an escalation time); undefined: none known. */
  nextDueAt?: () => Promise<Date | undefined>;
  /** The longest the job sleeps with nothing due: a poll in case a notification was lost. */
  fallbackMs: number;
  /** The shortest time between two runs' starts: a burst of notifications folds into a run or two. */
  minGapMs: number;
  /** How soon a failed run is tried again. */
  retryMs: number;
  onSuccess: () => void;
  onFailure: (error: Error) => void;
}

/**
 * A queue job that runs when told there is work (wake(), from a PostgreSQL notification), at the time its
 * next known work is due (nextDueAt, asked after every run), and at the latest fallbackMs after its last run;
 * never while it is running: a wake during a run runs it again right after. An idle queue costs no query
 * between fallback polls (issue 15: four queues each polled PostgreSQL every 2 to 5 s).
 */
export class WakeableJob {
  private timer?: NodeJS.Timeout;
  /** When the timer fires (ms); Infinity without a timer. */
  private timerAt = Number.POSITIVE_INFINITY;
  private running = false;
  /** The earliest run asked for while a run was going. */
  private askedAt = Number.POSITIVE_INFINITY;
  private lastStartedAt = Number.NEGATIVE_INFINITY;
  private stopped = false;

  constructor(private readonly options: WakeableJobOptions) {}

  /** Runs as soon as minGapMs allows. */
  wake(): void {
    this.runAt(Date.now());
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Whether a run is going (tests). */
  get isRunning(): boolean {
    return this.running;
  }

  private runAt(when: number): void {
    if (this.stopped) return;
    if (this.running) {
      this.askedAt = Math.min(this.askedAt, when);
      return;
    }
    const at = Math.max(when, this.lastStartedAt + this.options.minGapMs);
    if (this.timer && this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => void this.runNow(), Math.max(0, at - Date.now()));
  }

  private async runNow(): Promise<void> {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.running = true;
    this.lastStartedAt = Date.now();
    let next: number;
    try {
      await this.options.run();
      this.options.onSuccess();
      next = Date.now() + this.options.fallbackMs;
      const due = await this.options.nextDueAt?.();
      if (due) next = Math.min(next, due.getTime());
    } catch (error) {
      this.options.onFailure(error as Error);
      next = Date.now() + this.options.retryMs;
    } finally {
      this.running = false;
    }
    const asked = this.askedAt;
    this.askedAt = Number.POSITIVE_INFINITY;
    this.runAt(Math.min(next, asked));
  }
}
