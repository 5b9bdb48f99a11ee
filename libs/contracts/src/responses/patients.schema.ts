import { z } from 'zod';
import { normalizedReadingSchema } from '../reading-events.schema';
import { apiDateTime, pageSchema } from './common.schema';

export const FOLLOW_UP_TIERS = ['high', 'medium', 'low'] as const;

export const patientSchema = z.object({
  id: z.uuid(),
  displayName: z.string(),
  programme: z.string(),
  careTeamId: z.uuid(),
  timeZone: z.string(),
  createdAt: apiDateTime(),
});

/** A row of the care team's worklist (GET /patients). */
export const worklistPatientSchema = z.object({
  id: z.uuid(),
  displayName: z.string(),
  programme: z.string(),
  careTeamId: z.uuid(),
  timeZone: z.string(),
  openAlerts: z
    .object({ urgent: z.number().int(), warning: z.number().int(), info: z.number().int() })
    .describe('Alerts nobody has acknowledged yet, by severity.'),
  lastAlertAt: apiDateTime().nullable(),
  followUp: z.object({ tier: z.enum(FOLLOW_UP_TIERS), intervalDays: z.number().int(), nextDueAt: apiDateTime(), overdue: z.boolean() }).nullable(),
});
export const worklistResponseSchema = z.object({ patients: z.array(worklistPatientSchema), page: pageSchema });

export const readingsResponseSchema = z.object({ readings: z.array(normalizedReadingSchema) });

export const readingBucketSchema = z.object({
  bucketStart: apiDateTime(),
  count: z.number().int(),
  fields: z.record(z.string(), z.object({ min: z.number(), mean: z.number(), max: z.number() })),
});
export const aggregateResponseSchema = z.object({ bucketMinutes: z.number().int(), buckets: z.array(readingBucketSchema) });

export const timelineEntrySchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('reading'),
    at: apiDateTime(),
    metric: z.string(),
    values: z.record(z.string(), z.number()),
    unit: z.string(),
    deviceId: z.string(),
  }),
  z.object({ type: z.literal('visit'), at: apiDateTime(), id: z.uuid(), visitType: z.string(), outcome: z.string().nullable() }),
  z.object({ type: z.literal('alert'), at: apiDateTime(), id: z.uuid(), ruleId: z.string(), severity: z.string(), status: z.string(), title: z.string() }),
  z.object({
    type: z.literal('questionnaire'),
    at: apiDateTime(),
    id: z.uuid(),
    instrument: z.string(),
    total: z.number().int(),
    band: z.string(),
  }),
]);
export const timelineResponseSchema = z.object({ entries: z.array(timelineEntrySchema) });

/** The consensus CGM metrics of a period, rounded for display (the summary card and the AGP report's panel). */
export const cgmMetricsSchema = z.object({
  readings: z.number().int(),
  meanMgDl: z.number(),
  cvPercent: z.number(),
  gmiPercent: z.number(),
  tir: z.number(),
  tbr70: z.number(),
  tbr54: z.number(),
  tar180: z.number(),
  tar250: z.number(),
  coveragePercent: z.number(),
});

/** GET /patients/:id/summary: values rounded for display. */
export const patientSummarySchema = z.object({
  glucose: cgmMetricsSchema.nullable().describe('14-day CGM metrics; null without CGM readings.'),
  bloodPressure: z
    .object({ systolic: z.number(), diastolic: z.number(), readings: z.number().int(), controlled: z.boolean() })
    .nullable()
    .describe('7-day home BP mean; null with too few readings.'),
  adherence: z.object({ daysWithData: z.number().int(), ofDays: z.number().int(), meetsRpmThreshold: z.boolean() }),
});

export type Patient = z.output<typeof patientSchema>;
export type WorklistPatient = z.output<typeof worklistPatientSchema>;
export type WorklistResponse = z.output<typeof worklistResponseSchema>;
export type ReadingBucketResponse = z.output<typeof readingBucketSchema>;
export type AggregateResponse = z.output<typeof aggregateResponseSchema>;
export type TimelineEntry = z.output<typeof timelineEntrySchema>;
export type PatientSummary = z.output<typeof patientSummarySchema>;
