import type { NormalizedReading } from '@rpm/contracts';
import type { Evaluation } from '../rule-outcome';

/**
 * One rule's evaluation over a patient's readings of its metric, fed one reading at a time in measurement
 * order. It keeps only what the rule can still look at, so a reading costs the same whatever the stream's
 * density; its outcome equals the batch evaluator's over the readings of the last `windowMs`.
 */
export interface RuleStream {
  /** Takes the next reading (measured at or after the previous one) and judges the rule as of it. */
  push(reading: NormalizedReading): Evaluation;
  /**
   * Whether the state is what the whole window would give, although the stream was fed only its newest
   * part: lets a restart rebuild from the last minutes of a dense stream instead of hours.
   */
  settled(): boolean;
}

/** Readings kept oldest first, dropping from the front without shifting the array at every reading. */
export class ReadingQueue<T extends { reading: NormalizedReading }> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }

  /** Drops the items measured before `cutoffMs`. */
  dropBefore(cutoffMs: number): void {
    while (this.head < this.items.length && Date.parse(this.items[this.head].reading.measuredAt) < cutoffMs) this.head++;
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** Keeps at most the newest `count`. */
  keepNewest(count: number): void {
    this.head = Math.max(this.head, this.items.length - count);
  }

  first(): T | undefined {
    return this.items[this.head];
  }

  last(): T | undefined {
    return this.items.length > this.head ? this.items[this.items.length - 1] : undefined;
  }

  toArray(): T[] {
    return this.items.slice(this.head);
  }
}
