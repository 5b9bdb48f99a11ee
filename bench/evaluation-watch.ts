import * as hdr from 'hdr-histogram-js';
import { percentiles, type Percentiles, type StepResult } from './load-generator';

const EVALUATED = 'rpm_alerting_readings_evaluated_total ';

/** Alerting's count of readings whose rules it evaluated, from its Prometheus endpoint. */
export async function readingsEvaluated(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(EVALUATED));
  if (!line) throw new Error(`${metricsUrl} has no ${EVALUATED.trim()}`);
  return Number(line.slice(EVALUATED.length));
}

export interface EvaluationResult {
  /** Readings of the step alerting evaluated (its counter's rise, capped at the step's readings). */
  evaluated: number;
  /** Publish (scheduled send time) to evaluated, per reading; see EvaluationWatch. */
  lagMs: Percentiles;
}

/**
 * Publish-to-evaluated per reading, from alerting's rpm_alerting_readings_evaluated_total watched as a
 * watermark: sampled every `everyMs` during a step, the moment the counter passed base + n + 1 (linearly
 * interpolated between two samples) is taken as the moment the step's n-th reading was evaluated, and its
 * lag runs from the reading's scheduled send time. Exact when alerting evaluates readings in the order they
 * were sent; alerting's queue is round-robin over patients, so under a backlog a reading may be paired with a
 * neighbour's moment (the distribution's tail is then, if anything, understated by the reordering within
 * one batch). The scrape costs alerting a little CPU (and one PostgreSQL count per scrape, for its delivery
 * backlog gauge), which the step's CPU figures include.
 */
export class EvaluationWatch {
  private samples: { at: number; count: number }[] = [];
  private timer?: NodeJS.Timeout;
  private base = 0;
  private inFlight = false;

  constructor(
    private readonly metricsUrl: string,
    private readonly everyMs = 50,
  ) {}

  async start(): Promise<void> {
    this.base = await readingsEvaluated(this.metricsUrl);
    this.samples = [{ at: Date.now(), count: this.base }];
    this.timer = setInterval(() => void this.sample(), this.everyMs);
  }

  private async sample(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = true;
    try {
      const count = await readingsEvaluated(this.metricsUrl);
      this.samples.push({ at: Date.now(), count });
    } catch {
      // A missed sample only widens the interpolation.
    } finally {
      this.inFlight = false;
    }
  }

  /** Waits (up to `timeoutMs`) until the step's readings are all evaluated, stops sampling and works out the lags. */
  async finish(step: StepResult, timeoutMs = 30_000): Promise<EvaluationResult> {
    const deadline = Date.now() + timeoutMs;
    while (this.latest() < this.base + step.sent && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, this.everyMs));
    clearInterval(this.timer);
    await this.sample();
    const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 300_000, numberOfSignificantValueDigits: 3 });
    const evaluated = Math.min(step.sent, this.latest() - this.base);
    let sample = 1;
    for (let n = 0; n < evaluated; n++) {
      const target = this.base + n + 1;
      while (this.samples[sample].count < target) sample++;
      const before = this.samples[sample - 1];
      const after = this.samples[sample];
      const at = before.at + ((target - before.count) / Math.max(1, after.count - before.count)) * (after.at - before.at);
      histogram.recordValue(Math.max(1, Math.round(at - (step.scheduledStart + n * step.intervalMs))));
    }
    return { evaluated, lagMs: percentiles(histogram) };
  }

  private latest(): number {
    return this.samples.at(-1)?.count ?? this.base;
  }
}
