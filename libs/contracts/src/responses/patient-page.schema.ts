import { z } from 'zod';
import { apiDateTime } from './common.schema';

const optionSchema = z.object({ value: z.number().int(), label: z.string() });

/**
 * GET /p/:token/page: what the patient's own page shows, for the token's patient only — the last 14 days in
 * plain words and as points for a chart, the next follow-up contact (with one-action links to confirm it or
 * ask to reschedule it), and the questionnaires that are due, with their items to answer.
 */
export const patientPageSchema = z.object({
  days: z.number().int(),
  glucose: z
    .object({
      timeInRangePercent: z.number().describe('Share of CGM readings in 70-180 mg/dL over the days (Battelino 2019).'),
      readings: z.number().int(),
      hourly: z.array(z.object({ at: apiDateTime(), meanMgDl: z.number() })).describe('Hourly means, oldest first, for the chart.'),
    })
    .nullable(),
  bloodPressure: z
    .object({
      last: z.object({ systolic: z.number(), diastolic: z.number(), measuredAt: apiDateTime() }),
      readings: z.array(z.object({ at: apiDateTime(), systolic: z.number(), diastolic: z.number() })),
    })
    .nullable(),
  followUp: z
    .object({
      dueAt: apiDateTime(),
      confirmToken: z.string().nullable().describe('A confirm link token for this contact (POST /p/{token}/confirm), null once it has expired.'),
      rescheduleToken: z.string().nullable(),
    })
    .nullable(),
  questionnaires: z.array(
    z.object({
      instrument: z.string(),
      title: z.string(),
      stem: z.string(),
      dueAt: apiDateTime(),
      items: z.array(z.object({ linkId: z.string(), text: z.string(), options: z.array(optionSchema) })),
    }),
  ),
});
export type PatientPage = z.infer<typeof patientPageSchema>;
