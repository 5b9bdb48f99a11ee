import type { Metric, NormalizedReading } from '@rpm/contracts';

export interface ReadingQuery {
  patientId: string;
  /** Every metric when absent. */
  metric?: Metric;
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
  limit: number;
}

export interface AggregateQuery {
  patientId: string;
  metric: Metric;
  from: Date;
  to: Date;
  bucketMinutes: number;
}

/** Min, mean and max of each field of one metric in one time bucket, for charts of long ranges. */
export interface ReadingBucket {
  bucketStart: string;
  count: number;
  fields: Record<string, { min: number; mean: number; max: number }>;
}

/**
 * Where readings live. Writing the same reading twice (same device, metric, measuredAt and seq) keeps
 * one copy, so a redelivered message never shows up twice in a patient's stream.
 */
/** What a write did with each reading, in the order given. */
export interface WriteResult {
  /**
   * True where the store already held the reading (a resend or a replay; nothing new was stored), false where
   * it is stored for the first time. A reading repeated within one write counts as new once.
   */
  alreadyStored: boolean[];
}

export interface ReadingStore {
  /** Resolves once the readings are durable in the store. */
  write(readings: readonly NormalizedReading[]): Promise<WriteResult>;
  /** Readings in measurement order, oldest first. */
  query(query: ReadingQuery): Promise<NormalizedReading[]>;
  /** Buckets of bucketMinutes from `from` (inclusive) to `to` (exclusive), oldest first; empty buckets left out. */
  aggregate(query: AggregateQuery): Promise<ReadingBucket[]>;
  /** Creates the database if the server needs one and checks it answers; safe to call again after a failure. */
  init(): Promise<void>;
  close(): Promise<void>;
}
