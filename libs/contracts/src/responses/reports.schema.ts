import { z } from 'zod';
import { isoDateTime } from '../api.schema';
import { apiDateTime } from './common.schema';
import { cgmMetricsSchema } from './patients.schema';

/** GET /patients/:id/reports/agp and /home-bp: the period; at most 90 days. */
export const REPORT_MAX_DAYS = 90;
export const reportQuerySchema = z
  .object({
    from: isoDateTime().optional().describe('Default: 14 days (AGP) or 7 days (home BP) before `to`.'),
    to: isoDateTime().optional().describe('Default: now. Exclusive.'),
  })
  .refine((query) => !query.from || !query.to || Date.parse(query.from) < Date.parse(query.to), 'from must be before to')
  .refine(
    (query) => !query.from || !query.to || Date.parse(query.to) - Date.parse(query.from) <= REPORT_MAX_DAYS * 86_400_000,
    `the period may be at most ${REPORT_MAX_DAYS} days`,
  );
export type ReportQuery = z.infer<typeof reportQuerySchema>;

const nullableNumber = z.number().nullable();
const target = z.object({ comparator: z.enum(['<', '>']), percent: z.number(), of: z.string() });

/** The AGP report (Battelino 2019 consensus, AGP v4 layout); values rounded for display. */
export const agpReportSchema = z.object({
  from: apiDateTime(),
  to: apiDateTime(),
  timeZone: z.string(),
  periodDays: z.number(),
  binMinutes: z.number().int().describe('Modal-day bins of local time, in minutes; percentiles are not smoothed.'),
  metrics: cgmMetricsSchema.extend({ meanMmolL: z.number() }).nullable().describe('Null without CGM readings in the period.'),
  sufficiency: z.object({
    sufficient: z.boolean().describe('CGM active at least 70% of the period (Battelino 2019).'),
    coveragePercent: z.number(),
    minimumCoveragePercent: z.number(),
    daysWithData: z.number().int(),
    ofDays: z.number().int(),
    message: z.string().nullable(),
  }),
  ranges: z
    .array(
      z.object({
        key: z.enum(['veryLow', 'low', 'inRange', 'high', 'veryHigh']),
        label: z.string(),
        mgDl: z.string(),
        mmolL: z.string(),
        percent: z.number(),
        target,
      }),
    )
    .nullable()
    .describe('The stacked bar, very high first; null without CGM readings.'),
  profile: z
    .array(
      z.object({
        startMinute: z.number().int(),
        readings: z.number().int(),
        p5: nullableNumber,
        p25: nullableNumber,
        p50: nullableNumber,
        p75: nullableNumber,
        p95: nullableNumber,
      }),
    )
    .describe('The modal day: percentiles per bin (mg/dL), null where the bin holds too few readings.'),
  binsWithData: z.number().int(),
  dailyProfiles: z.array(
    z.object({
      date: z.string(),
      readings: z.number().int(),
      points: z.array(z.tuple([z.number(), z.number()])).describe('[minute of local day, mg/dL]'),
      tir: nullableNumber,
    }),
  ),
});
export type AgpReportResponse = z.output<typeof agpReportSchema>;

const bpMean = z.object({ systolic: z.number(), diastolic: z.number(), readings: z.number().int() });

/** The home BP report (ESH 2023); whole mmHg except where rounding would contradict the verdict. */
export const homeBpReportSchema = z.object({
  from: apiDateTime(),
  to: apiDateTime(),
  timeZone: z.string(),
  target: z.object({ systolic: z.number(), diastolic: z.number() }),
  mean: z
    .object({
      systolic: z.number(),
      diastolic: z.number(),
      readings: z.number().int(),
      readingsInMean: z.number().int(),
      controlled: z.boolean(),
    })
    .nullable()
    .describe('Mean of the days after the first; null with too few readings.'),
  morning: bpMean.nullable(),
  evening: bpMean.nullable(),
  readingsPerDay: nullableNumber,
  days: z.array(
    z.object({
      date: z.string(),
      discarded: z.boolean(),
      readings: z.number().int(),
      morning: bpMean.nullable(),
      evening: bpMean.nullable(),
      points: z.array(z.tuple([z.number(), z.number(), z.number()])).describe('[minute of local day, systolic, diastolic]'),
    }),
  ),
  message: z.string().nullable(),
});
export type HomeBpReportResponse = z.output<typeof homeBpReportSchema>;
