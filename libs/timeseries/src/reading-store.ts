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

/**
 * Where readings live. Writing the same reading twice (same device, metric, measuredAt and seq) keeps
 * one copy, so a redelivered message never shows up twice in a patient's stream.
 */
export interface ReadingStore {
  /** Resolves once the readings are durable in the store. */
  write(readings: readonly NormalizedReading[]): Promise<void>;
  /** Readings in measurement order, oldest first. */
  query(query: ReadingQuery): Promise<NormalizedReading[]>;
  /** Creates the database if the server needs one and checks it answers; safe to call again after a failure. */
  init(): Promise<void>;
  close(): Promise<void>;
}
