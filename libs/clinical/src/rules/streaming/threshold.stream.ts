import type { NormalizedReading } from '@rpm/contracts';
import type { ThresholdRule } from '../rule-definition.schema';
import { minutesBetween, undetermined, type Evaluation } from '../rule-outcome';
import { evaluateThreshold, thresholdSide } from '../threshold.evaluator';
import { ReadingQueue, type RuleStream } from './rule-stream';

interface Judged {
  reading: NormalizedReading;
}

/**
 * A threshold rule kept as its current run (the newest readings beyond the threshold, unbroken) and the
 * newest reading it could judge. A reading outside any run costs O(1); a firing outcome lists the run as
 * evidence, as the batch evaluator does, by handing it the run alone.
 */
export class ThresholdStream implements RuleStream {
  private readonly run = new ReadingQueue<Judged>();
  private latest: NormalizedReading | null = null;
  /** A reading on the safe side was seen: the run cannot reach back before what this stream was fed. */
  private broken = false;

  constructor(
    private readonly rule: ThresholdRule,
    private readonly windowMs: number,
  ) {}

  push(reading: NormalizedReading): Evaluation {
    const side = thresholdSide(this.rule, reading);
    if (side) {
      this.latest = reading;
      if (side.beyond) this.run.push({ reading });
      else {
        this.run.clear();
        this.broken = true;
      }
    }
    const cutoff = Date.parse(reading.measuredAt) - this.windowMs;
    this.run.dropBefore(cutoff);
    if (this.latest && Date.parse(this.latest.measuredAt) < cutoff) this.latest = null;
    return this.evaluate();
  }

  settled(): boolean {
    return this.broken;
  }

  private evaluate(): Evaluation {
    const first = this.run.first();
    const last = this.run.last();
    if (!first || !last) return this.latest ? evaluateThreshold(this.rule, [this.latest]) : undetermined();
    // Too short a run is undetermined: answered without listing it.
    if (this.run.length < this.rule.minConsecutive || minutesBetween(first.reading.measuredAt, last.reading.measuredAt) < this.rule.minDurationMinutes) {
      return undetermined();
    }
    return evaluateThreshold(
      this.rule,
      this.run.toArray().map((item) => item.reading),
    );
  }
}
