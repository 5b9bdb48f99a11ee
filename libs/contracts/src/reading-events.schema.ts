import { z } from 'zod';
import { metricSchema } from './device-payloads.schema';

/**
 * A reading after validation and unit normalisation, as stored and as announced to the alerting app.
 * `values` are in the canonical unit of the metric; `original` keeps what the device sent.
 */
export const normalizedReadingSchema = z.object({
  patientId: z.uuid(),
  deviceId: z.string(),
  metric: metricSchema,
  measuredAt: z.iso.datetime(),
  receivedAt: z.iso.datetime(),
  seq: z.number().int().nullable(),
  unit: z.string(),
  values: z.record(z.string(), z.number()),
  original: z.object({ unit: z.string(), values: z.record(z.string(), z.number()) }),
  context: z.record(z.string(), z.string()),
});

export const acceptedReadingsEventSchema = z.object({
  readings: z.array(normalizedReadingSchema).min(1),
});

export type NormalizedReading = z.infer<typeof normalizedReadingSchema>;
export type AcceptedReadingsEvent = z.infer<typeof acceptedReadingsEventSchema>;

/**
 * The reading log (EVENT_LOG_URL): accepted-readings events on subjects partitioned by patient, so that
 * each patient's readings stay in one ordered partition and alerting instances can split the partitions.
 * The hash is FNV-1a over the patient id: stable across processes, versions and machines. Changing the
 * partition count moves patients between partitions: only while the log is drained.
 */
export function readingPartitionOf(patientId: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < patientId.length; index++) {
    hash ^= patientId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}

/** The subject of one partition of the reading log: `<stream>.p<k>`. */
export const readingPartitionSubject = (stream: string, partition: number): string => `${stream}.p${partition}`;

/**
 * A reading's identity in the log, the same as in the store (device, time, sequence number; metric for the
 * devices that send several at once): the log's de-duplication drops a reading announced again by a replayed
 * drain or by another gateway.
 */
export const readingEventId = (reading: NormalizedReading): string => `${reading.deviceId}/${reading.metric}/${reading.measuredAt}/${reading.seq ?? ''}`;
