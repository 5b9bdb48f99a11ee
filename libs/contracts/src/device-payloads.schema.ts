import { z } from 'zod';

/**
 * Device protocol v1 payloads. These schemas are the single source of truth: the gateway validates
 * with them, the simulators build with them, and docs/device-protocol.md is generated from them.
 */

/** Largest clock lead we accept from a device: more than this in the future is a wrong clock. */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;
/** A batch is an offline backfill; bigger batches must be split by the device. */
export const MAX_BATCH_SIZE = 500;
/**
 * Earliest measuredAt we accept. Every supported store must hold every acknowledged reading: PostgreSQL
 * refuses year 0, InfluxDB anything before 1677-09-21, so a reading outside the stores' common range
 * would be acknowledged and then never stored. Devices whose clock was never set report 1970 or 2000;
 * no real reading predates 2000-01-01, so the bound also catches unset clocks at the door.
 */
export const EARLIEST_MEASURED_AT = '2000-01-01T00:00:00Z';
export const EARLIEST_MEASURED_AT_MS = Date.parse(EARLIEST_MEASURED_AT);

const measuredAt = z.iso
  .datetime({ offset: true })
  .describe(
    'When the device took the reading: ISO 8601 with a time zone, e.g. 2026-11-22T07:30:00Z. ' +
      `Accepted from ${EARLIEST_MEASURED_AT} (earlier is an unset device clock, refused with timestamp_too_old) ` +
      `up to ${MAX_FUTURE_SKEW_MS / 60_000} minutes ahead of the gateway clock (refused with future_timestamp); ` +
      'this keeps every accepted reading inside what every supported store can hold.',
  );

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
    trend: z.enum(['rising_fast', 'rising', 'steady', 'falling', 'falling_fast']).optional().describe('CGM trend arrow, as the device shows it.'),
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
