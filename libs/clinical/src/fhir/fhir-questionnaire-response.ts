import { nameBasedUuid } from './fhir-export';
import type { QuestionnaireDefinition } from '../questionnaires/questionnaire';

/**
 * FHIR R4 QuestionnaireResponse for a patient-reported outcome: every item with its answer (valueInteger, the
 * item's score), and for instruments with a LOINC total (PHQ-9 44261-6, GAD-7 70274-6, pain 72514-3) an
 * Observation of the total (category `survey`) derived from the response. docs/questionnaires.md.
 */
export interface FhirQuestionnaireResponse {
  resourceType: 'QuestionnaireResponse';
  id: string;
  status: 'completed';
  /** Canonical of the instrument with its version. */
  questionnaire: string;
  subject: { reference: string };
  authored: string;
  item: { linkId: string; text: string; answer: { valueInteger: number }[] }[];
}

export interface FhirScoreObservation {
  resourceType: 'Observation';
  id: string;
  status: 'final';
  category: { coding: { system: string; code: string; display: string }[] }[];
  code: { coding: { system: string; code: string; display: string }[]; text: string };
  subject: { reference: string };
  effectiveDateTime: string;
  valueInteger: number;
  interpretation: { text: string }[];
  derivedFrom: { reference: string }[];
}

export interface StoredQuestionnaireResponse {
  id: string;
  patientId: string;
  answers: Record<string, number>;
  total: number;
  band: string;
  answeredAt: string;
}

/** Canonical URL namespace of the platform's questionnaire definitions. */
export const QUESTIONNAIRE_CANONICAL = 'urn:rpm:questionnaire';

export function toQuestionnaireResponse(definition: QuestionnaireDefinition, response: StoredQuestionnaireResponse): FhirQuestionnaireResponse {
  return {
    resourceType: 'QuestionnaireResponse',
    id: response.id.toLowerCase(),
    status: 'completed',
    questionnaire: `${QUESTIONNAIRE_CANONICAL}:${definition.id}|${definition.version}`,
    subject: { reference: `Patient/${response.patientId}` },
    authored: response.answeredAt,
    item: definition.items
      .filter((item) => response.answers[item.linkId] !== undefined)
      .map((item) => ({ linkId: item.linkId, text: item.text, answer: [{ valueInteger: response.answers[item.linkId] }] })),
  };
}

/** The total score as an Observation; undefined for instruments without a LOINC total. */
export function toScoreObservation(definition: QuestionnaireDefinition, response: StoredQuestionnaireResponse): FhirScoreObservation | undefined {
  if (!definition.totalLoinc) return undefined;
  return {
    resourceType: 'Observation',
    id: nameBasedUuid(`score ${response.id}`),
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'survey', display: 'Survey' }] }],
    code: { coding: [{ system: 'http://loinc.org', ...definition.totalLoinc }], text: `${definition.title} total` },
    subject: { reference: `Patient/${response.patientId}` },
    effectiveDateTime: response.answeredAt,
    valueInteger: response.total,
    interpretation: [{ text: response.band }],
    derivedFrom: [{ reference: `QuestionnaireResponse/${response.id.toLowerCase()}` }],
  };
}
