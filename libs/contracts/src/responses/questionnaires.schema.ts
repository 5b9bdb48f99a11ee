import { z } from 'zod';
import { isoDateTime } from '../api.schema';
import { apiDateTime } from './common.schema';

/**
 * POST /patients/:id/questionnaires/:instrument/responses. The answers are checked against the instrument's
 * own items (every item present, each in range; 400 naming the item) once the instrument is known.
 */
export const questionnaireAnswerRequestSchema = z
  .object({
    answers: z.record(z.string().max(64), z.unknown()).describe('Answer value per item linkId, e.g. {"phq9-1": 2, ...}.'),
    answeredAt: isoDateTime().optional().describe('When the patient answered; defaults to now. Not in the future.'),
  })
  .strict();
export type QuestionnaireAnswerRequest = z.infer<typeof questionnaireAnswerRequestSchema>;

export const questionnaireResponseSchema = z.object({
  id: z.uuid(),
  instrument: z.string(),
  instrumentVersion: z.number().int(),
  title: z.string(),
  answers: z.record(z.string(), z.number()),
  total: z.number().int(),
  maxScore: z.number().int(),
  band: z.string(),
  answeredAt: apiDateTime(),
  source: z.enum(['clinician', 'patient']),
  enteredBy: z.uuid().nullable(),
});

export const questionnaireRecordedSchema = z.object({
  response: questionnaireResponseSchema,
  alerts: z
    .array(z.object({ alertId: z.uuid(), kind: z.enum(['opened', 'raised']) }))
    .describe('Alerts the answers opened or raised (an episode already live is extended, not listed).'),
});

/** GET /patients/:id/questionnaires: what the patient's pathway asks, when each is due, and recent responses. */
export const patientQuestionnairesSchema = z.object({
  pathway: z.string().nullable(),
  assigned: z.array(
    z.object({
      instrument: z.string(),
      title: z.string(),
      everyDays: z.number().int(),
      lastAnsweredAt: apiDateTime().nullable(),
      dueAt: apiDateTime(),
      due: z.boolean(),
    }),
  ),
  open: z
    .array(z.object({ instrument: z.string(), title: z.string(), assignedAt: apiDateTime(), expiresAt: apiDateTime() }))
    .describe('Questionnaires given one at a time and not yet answered: the satisfaction survey after the last contact, open 14 days.'),
  recent: z.array(questionnaireResponseSchema),
});

const codingSchema = z.object({ system: z.string(), code: z.string(), display: z.string() });

/** FHIR R4 QuestionnaireResponse as the export writes it: every item's answer as its score. */
export const fhirQuestionnaireResponseSchema = z.object({
  resourceType: z.literal('QuestionnaireResponse'),
  id: z.string(),
  status: z.literal('completed'),
  questionnaire: z.string(),
  subject: z.object({ reference: z.string() }),
  authored: z.string(),
  item: z.array(z.object({ linkId: z.string(), text: z.string(), answer: z.array(z.object({ valueInteger: z.number().int() })) })),
});

/** The total score of a response as an Observation (LOINC 44261-6 PHQ-9, 70274-6 GAD-7, 72514-3 pain). */
export const fhirScoreObservationSchema = z.object({
  resourceType: z.literal('Observation'),
  id: z.string(),
  status: z.literal('final'),
  category: z.array(z.object({ coding: z.array(codingSchema) })),
  code: z.object({ coding: z.array(codingSchema), text: z.string() }),
  subject: z.object({ reference: z.string() }),
  effectiveDateTime: z.string(),
  valueInteger: z.number().int(),
  interpretation: z.array(z.object({ text: z.string() })),
  derivedFrom: z.array(z.object({ reference: z.string() })),
});

/** Searchset of the responses (search mode `match`) with their total-score Observations (`include`). */
export const fhirQuestionnaireResponseBundleSchema = z.object({
  resourceType: z.literal('Bundle'),
  type: z.literal('searchset'),
  total: z.number().int().describe('The number of QuestionnaireResponses (matches), not counting included Observations.'),
  entry: z.array(
    z.object({
      fullUrl: z.string(),
      resource: z.union([fhirQuestionnaireResponseSchema, fhirScoreObservationSchema]),
      search: z.object({ mode: z.enum(['match', 'include']) }),
    }),
  ),
});
