import type { NormalizedReading } from '@rpm/contracts';
import type { Evaluation } from '../rule-outcome';
import { ReadingQueue, type RuleStream } from './rule-stream';

/**
 * A rule that looks only at its newest few readings (rate of change: its consecutive intervals; predicted
 * low: the last two CGM readings): the stream keeps those and hands them to the batch evaluator.
 */
export class TailStream implements RuleStream {
  private readonly tail = new ReadingQueue<{ reading: NormalizedReading }>();

  constructor(
    private readonly size: number,
    private readonly windowMs: number,
    private readonly evaluate: (readings: readonly NormalizedReading[]) => Evaluation,
    private readonly counts: (reading: NormalizedReading) => boolean = () => true,
  ) {}

  push(reading: NormalizedReading): Evaluation {
    if (this.counts(reading)) {
      this.tail.push({ reading });
      this.tail.keepNewest(this.size);
    }
    this.tail.dropBefore(Date.parse(reading.measuredAt) - this.windowMs);
    return this.evaluate(this.tail.toArray().map((item) => item.reading));
  }

  settled(): boolean {
    return this.tail.length === this.size;
  }
}

/**
 * A rule over every reading of a window (the 7-day home blood pressure mean). Blood pressure arrives a few
 * times a day, so the window is small; it is never settled from a partial rebuild.
 */
export class WindowStream implements RuleStream {
  private readonly window = new ReadingQueue<{ reading: NormalizedReading }>();

  constructor(
    private readonly windowMs: number,
    private readonly evaluate: (readings: readonly NormalizedReading[], now: Date) => Evaluation,
  ) {}

  push(reading: NormalizedReading): Evaluation {
    this.window.push({ reading });
    this.window.dropBefore(Date.parse(reading.measuredAt) - this.windowMs);
    return this.evaluate(
      this.window.toArray().map((item) => item.reading),
      new Date(reading.measuredAt),
    );
  }

  settled(): boolean {
    return false;
  }
}
