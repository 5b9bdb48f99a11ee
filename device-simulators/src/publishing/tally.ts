import type { DeviceReply, Metric, RejectionCode } from '@rpm/contracts';
import type { MessageLabel, OutgoingItem } from './outgoing-message';

/** A message the device published, with what came back for it. */
export interface SentMessage {
  deviceId: string;
  label: MessageLabel;
  items: OutgoingItem[];
  acknowledged: boolean;
  reply?: DeviceReply;
}

export interface SimulationCounts {
  messagesSent: number;
  messagesAcknowledged: number;
  /** Items in all messages, bad and duplicate ones included (a malformed message counts as one). */
  readingsSent: number;
  /** Items of acknowledged messages the gateway did not refuse: stored, duplicates included. */
  readingsAccepted: number;
  /** Distinct readings the gateway accepted: what the store should hold from this run. */
  distinctReadingsStored: number;
  /** Items of messages the gateway never acknowledged (connection lost, run stopped). */
  readingsUnacknowledged: number;
  rejectedByCode: Partial<Record<RejectionCode, number>>;
  expectedRejectionsByCode: Partial<Record<RejectionCode, number>>;
  duplicatesResent: number;
  offlineBackfillReadings: number;
  perMetric: Partial<Record<Metric, { sent: number; accepted: number }>>;
  /** Replies that matched no message of this run (left over from an earlier session). */
  strayReplies: number;
}

const increment = <K extends string>(record: Partial<Record<K, number>>, key: K, by = 1) => {
  record[key] = (record[key] ?? 0) + by;
};

/**
 * Counts what the gateway did with each message: a PUBACK means the message is durably taken, and a reply
 * (sent only when something was refused) names the refused items by index.
 */
export function tally(messages: readonly SentMessage[], strayReplies: number): SimulationCounts {
  const counts: SimulationCounts = {
    messagesSent: messages.length,
    messagesAcknowledged: 0,
    readingsSent: 0,
    readingsAccepted: 0,
    distinctReadingsStored: 0,
    readingsUnacknowledged: 0,
    rejectedByCode: {},
    expectedRejectionsByCode: {},
    duplicatesResent: 0,
    offlineBackfillReadings: 0,
    perMetric: {},
    strayReplies,
  };
  const stored = new Set<string>();
  for (const message of messages) {
    counts.readingsSent += message.items.length;
    if (message.label === 'duplicate') counts.duplicatesResent += message.items.length;
    if (message.label === 'offline-backfill') counts.offlineBackfillReadings += message.items.length;
    for (const item of message.items) {
      if (item.expected) increment(counts.expectedRejectionsByCode, item.expected);
      if (item.metric) {
        const perMetric = (counts.perMetric[item.metric] ??= { sent: 0, accepted: 0 });
        perMetric.sent++;
      }
    }
    if (!message.acknowledged) {
      counts.readingsUnacknowledged += message.items.length;
      continue;
    }
    counts.messagesAcknowledged++;
    const refused = new Set<number>();
    for (const rejected of message.reply?.rejected ?? []) {
      refused.add(rejected.index);
      increment(counts.rejectedByCode, rejected.code);
    }
    message.items.forEach((item, index) => {
      if (refused.has(index)) return;
      counts.readingsAccepted++;
      if (item.metric) counts.perMetric[item.metric]!.accepted++;
      if (item.key) stored.add(item.key);
    });
  }
  counts.distinctReadingsStored = stored.size;
  return counts;
}
