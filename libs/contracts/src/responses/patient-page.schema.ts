import { z } from 'zod';
import { patientLanguageSchema } from '../patient-contact.schema';
import { apiDateTime } from './common.schema';

const optionSchema = z.object({ value: z.number().int(), label: z.string() });

/**
 * The fixed texts of the patient's page in one language (tables per language in
 * libs/clinical/src/patient-contact/patient-page-text.ts). `{name}` marks a value the page fills in.
 */
export const patientPageTextSchema = z
  .object({
    title: z.string(),
    readingsHeading: z.string().describe('{days}'),
    noReadings: z.string(),
    glucoseInRange: z.string().describe('{percent}'),
    lastBloodPressure: z.string().describe('{systolic} {diastolic} {day}'),
    glucoseChart: z.string(),
    glucoseSeries: z.string(),
    bloodPressureChart: z.string(),
    systolicSeries: z.string(),
    diastolicSeries: z.string(),
    chartTime: z.string().describe("The charts' time axis, in their legend."),
    followUpHeading: z.string(),
    noFollowUp: z.string(),
    followUpDue: z.string().describe('{date}'),
    confirm: z.string(),
    reschedule: z.string(),
    confirmed: z.string(),
    rescheduleRequested: z.string(),
    followUpGone: z.string().describe('The 410 answer to a confirm or reschedule link whose contact has taken place or passed.'),
    questionnairesHeading: z.string(),
    noQuestionnaires: z.string(),
    sendAnswers: z.string(),
    answersSent: z.string(),
    careTeamTold: z.string(),
    questionnaireClosed: z.string().describe('The 409 answer to a questionnaire given once (the survey after a contact) with none open.'),
    linkInvalid: z.string(),
    somethingWrong: z.string(),
    tooManyRequests: z.string(),
    signInHeading: z.string(),
    signInIntro: z.string(),
    signInLabel: z.string(),
    signInInvalid: z.string().describe('The 400 answer to what is neither a mobile number with country code nor an e-mail address.'),
    signInButton: z.string(),
    signInSent: z.string(),
  })
  .strict();
export type PatientPageText = z.infer<typeof patientPageTextSchema>;

/** GET /p/text/:language: the page's texts before any link is known (the sign-in form, a refused link). */
export const patientPageTextResponseSchema = z.object({ language: patientLanguageSchema, text: patientPageTextSchema });

/**
 * GET /p/:token/page: what the patient's own page shows, for the token's patient only — the last 14 days in
 * plain words and as points for a chart, the next follow-up contact (with one-action links to confirm it or
 * ask to reschedule it), and the questionnaires that are due, with their items to answer.
 */
export const patientPageSchema = z.object({
  language: patientLanguageSchema.describe("The patient's recorded language (English when none is recorded): the language of `text`."),
  text: patientPageTextSchema,
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

/** POST /p/sign-in: the same answer whether or not the address matched a patient (nothing to learn from it). */
export const patientSignInResponseSchema = z.object({
  accepted: z.literal(true),
  message: z.string().describe('What the page tells the patient, in the language asked for: a link is on its way if the address matched.'),
});
