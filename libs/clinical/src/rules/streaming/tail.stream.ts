import type { NormalizedReading } from '@rpm/contracts';
import type { Evaluation } from '../rule-outcome';
import { ReadingQueue, type RuleStream } from './rule-stream';

/**
 * Rate of change: the newest few readings of each source (CGM, meter), the evaluator judging the newest
 * reading's source. Settled when, for every source, the tail is full or what the stream was not fed lies more
 * than maxGap before anything it holds (so the evaluator's chain of intervals would break there anyway).
 */
export class SourceTailStream implements RuleStream {
  private readonly tails = new Map<string, ReadingQueue<{ reading: NormalizedReading }>>();
  private firstMs: number | null = null;
  private newestMs = 0;
  constructor(
    private readonly size: number,
    private readonly windowMs: number,
    private readonly maxGapMs: number,
    private readonly sourceOf: (reading: NormalizedReading) => string,
    private readonly evaluate: (readings: readonly NormalizedReading[]) => Evaluation,
  ) {}
  push(reading: NormalizedReading): Evaluation {
    const atMs = Date.parse(reading.measuredAt);
    this.firstMs ??= atMs;
    this.newestMs = atMs;
    const key = this.sourceOf(reading);
    let tail = this.tails.get(key);
    if (!tail) this.tails.set(key, (tail = new ReadingQueue()));
    tail.push({ reading });
    tail.keepNewest(this.size);
    tail.dropBefore(atMs - this.windowMs);
    return this.evaluate(tail.toArray().map((item) => item.reading));
  }
  settled(): boolean {
    if (this.firstMs === null || this.newestMs - this.firstMs < this.maxGapMs) return false;
    for (const tail of this.tails.values()) {
      const oldest = tail.first();
      if (tail.length < this.size && oldest && Date.parse(oldest.reading.measuredAt) - this.firstMs < this.maxGapMs) return false;
    }
    return true;
  }
}

/**
 * A rule over the readings of the last `lookbackMs` before its newest counted reading (predicted low: the CGM
 * readings of Nightscout's four 5-minute buckets). Settled once it was fed readings reaching that far back.
 */
export class LookbackStream implements RuleStream {
  private readonly kept = new ReadingQueue<{ reading: NormalizedReading }>();
  private firstMs: number | null = null;
  private newestCountedMs: number | null = null;
  constructor(
    private readonly lookbackMs: number,
    private readonly windowMs: number,
    private readonly evaluate: (readings: readonly NormalizedReading[]) => Evaluation,
    private readonly counts: (reading: NormalizedReading) => boolean,
  ) {}
  push(reading: NormalizedReading): Evaluation {
    const atMs = Date.parse(reading.measuredAt);
    this.firstMs ??= atMs;
    if (this.counts(reading)) {
      this.newestCountedMs = atMs;
      this.kept.push({ reading });
      this.kept.dropBefore(atMs - this.lookbackMs);
    }
    this.kept.dropBefore(atMs - this.windowMs);
    return this.evaluate(this.kept.toArray().map((item) => item.reading));
  }
  settled(): boolean {
    // The lookback runs from the newest counted reading: it must reach no further back than what was fed.
    return this.firstMs !== null && this.newestCountedMs !== null && this.newestCountedMs - this.firstMs >= this.lookbackMs;
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
