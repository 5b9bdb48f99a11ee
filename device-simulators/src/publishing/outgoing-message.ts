import type { Metric, RejectionCode } from '@rpm/contracts';

/** One item of a message, as the gateway will count it (a malformed message counts as one item). */
export interface OutgoingItem {
  /** The metric of a well-formed reading; absent for a deliberately bad item. */
  metric?: Metric;
  /** Identity of a well-formed reading as the store de-duplicates it: device, metric, instant, seq. */
  key?: string;
  /** The rejection the simulator expects for it, when it sends it on purpose (bad payloads, clock skew). */
  expected?: RejectionCode;
}

export type MessageLabel = 'readings' | 'offline-backfill' | 'duplicate' | 'bad-payload';

/** A message ready to publish on the device's readings topic. */
export interface OutgoingMessage {
  payload: string;
  items: OutgoingItem[];
  label: MessageLabel;
}

export const readingKey = (deviceId: string, metric: string, measuredAt: string, seq: number | undefined): string =>
  `${deviceId}|${metric}|${Date.parse(measuredAt)}|${seq ?? ''}`;
