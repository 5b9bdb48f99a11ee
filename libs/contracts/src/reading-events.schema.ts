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
