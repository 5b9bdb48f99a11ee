import { z } from 'zod';

/**
 * Device protocol v1 payloads. These schemas are the single source of truth: the gateway validates
 * with them, the simulators build with them, and docs/device-protocol.md is generated from them.
 */

/** Largest clock lead we accept from a device: more than this in the future is a wrong clock. */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;
/** A batch is an offline backfill; bigger batches must be split by the device. */
export const MAX_BATCH_SIZE = 500;

const measuredAt = z.iso
  .datetime({ offset: true })
  .describe('When the device took the reading: ISO 8601 with a time zone, e.g. 2026-11-22T07:30:00Z.');

const sequence = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32 - 1)
  .optional()
  .describe("The device's own record number (Bluetooth SIG sequence number); identifies a record on re-send.");

const readingBase = { measuredAt, seq: sequence };

export const glucoseReadingSchema = z
  .object({
    ...readingBase,
    metric: z.literal('glucose'),
    value: z.number().positive().describe('Blood glucose in `unit`.'),
    unit: z.enum(['mg/dL', 'mmol/L']),
    source: z.enum(['meter', 'cgm']).describe('Finger-stick meter or continuous glucose monitor.'),
    mealContext: z.enum(['fasting', 'before_meal', 'after_meal', 'bedtime', 'unknown']).optional(),
    trend: z
      .enum(['rising_fast', 'rising', 'steady', 'falling', 'falling_fast'])
      .optional()
      .describe("CGM trend arrow, as the device shows it."),
  })
  .strict();

export const bloodPressureReadingSchema = z
  .object({
    ...readingBase,
    metric: z.literal('blood_pressure'),
    systolic: z.number().positive(),
    diastolic: z.number().positive(),
    pulse: z.number().int().positive().optional().describe('Pulse rate in beats per minute.'),
    unit: z.enum(['mmHg', 'kPa']).describe('Unit of systolic and diastolic (Bluetooth SIG 0x2A35 flag bit 0 = kPa).'),
  })
  .strict();

export const heartRateReadingSchema = z
  .object({
    ...readingBase,
    metric: z.literal('heart_rate'),
    value: z.number().int().positive(),
    unit: z.literal('bpm'),
  })
  .strict();

export const spo2ReadingSchema = z
  .object({
    ...readingBase,
    metric: z.literal('spo2'),
    value: z.number().min(0).max(100),
    unit: z.literal('%'),
  })
  .strict();

export const stepsReadingSchema = z
  .object({
    ...readingBase,
    metric: z.literal('steps'),
    value: z.number().int().min(0).max(100_000).describe('Steps counted over the period that ends at measuredAt.'),
    unit: z.literal('steps'),
    periodSeconds: z.number().int().positive().max(86_400).optional().describe('Length of the counting period.'),
  })
  .strict();

export const deviceReadingSchema = z.discriminatedUnion('metric', [
  glucoseReadingSchema,
  bloodPressureReadingSchema,
  heartRateReadingSchema,
  spo2ReadingSchema,
  stepsReadingSchema,
]);

export const readingBatchSchema = z
  .object({
    readings: z.array(z.unknown()).min(1).max(MAX_BATCH_SIZE).describe('Each item is one reading, validated on its own.'),
  })
  .strict();

export const METRICS = ['glucose', 'blood_pressure', 'heart_rate', 'spo2', 'steps'] as const;
export const metricSchema = z.enum(METRICS);

export type Metric = z.infer<typeof metricSchema>;
export type DeviceReading = z.infer<typeof deviceReadingSchema>;
export type GlucoseReading = z.infer<typeof glucoseReadingSchema>;
export type BloodPressureReading = z.infer<typeof bloodPressureReadingSchema>;
