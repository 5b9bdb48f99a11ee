import { z } from 'zod';

/**
 * Patient-reported outcomes as data: a questionnaire is its items, the answers each item allows (each with
 * the points it scores), how the total is summed and the bands it falls in. Pure: no I/O. Sources and every
 * number: docs/questionnaires.md.
 */
export const INSTRUMENT_IDS = ['phq9', 'gad7', 'pain_nrs', 'wound_check', 'adherence_check', 'contact_satisfaction'] as const;
export type InstrumentId = (typeof INSTRUMENT_IDS)[number];

export interface AnswerOption {
  value: number;
  label: string;
}

export interface QuestionnaireItem {
  /** Stable key of the item (FHIR QuestionnaireResponse.item.linkId). */
  linkId: string;
  text: string;
  options: AnswerOption[];
}

/** A band of the total: the band whose `from` is the greatest not above the total. */
export interface ScoreBand {
  from: number;
  label: string;
}

export interface QuestionnaireDefinition {
  id: InstrumentId;
  version: number;
  title: string;
  /** What the patient is asked before the items (the recall period). */
  stem: string;
  /** Where the items, scoring and bands come from. */
  source: string;
  /** Given to the patient one at a time (an assignment): the patient answers it only while one is open. */
  assignedOnly?: boolean;
  items: QuestionnaireItem[];
  /** Highest possible total (the sum of each item's highest option). */
  maxScore: number;
  bands: ScoreBand[];
  /** LOINC code of the total score, when one exists (exported as an Observation). */
  totalLoinc?: { code: string; display: string };
}

/** Answers by linkId: the option value chosen for each item. */
export type Answers = Record<string, number>;

export interface QuestionnaireScore {
  total: number;
  maxScore: number;
  band: string;
}

/** The problem with a set of answers, naming the item: used for the 400 the API answers. */
export interface AnswerIssue {
  linkId: string;
  message: string;
}

/**
 * The zod schema of an instrument's answers: every item present with one of its option values, no other key;
 * each issue's message names the item (the API's 400).
 */
export function answersSchemaOf(definition: QuestionnaireDefinition): z.ZodType<Answers> {
  const shape: Record<string, z.ZodType<number>> = {};
  for (const item of definition.items) {
    const values = item.options.map((option) => option.value);
    const range = `${item.linkId} must be one of ${values[0]}..${values[values.length - 1]}`;
    shape[item.linkId] = z
      .number({ error: (issue) => (issue.input === undefined ? `${item.linkId} is required` : range) })
      .refine((value) => values.includes(value), range);
  }
  return z.strictObject(shape, { error: (issue) => (issue.code === 'unrecognized_keys' ? `not an item of ${definition.id}` : 'answers must be an object') });
}

/** The problems with a set of answers, one per item named (empty when the answers are complete and in range). */
export function checkAnswers(definition: QuestionnaireDefinition, answers: unknown): AnswerIssue[] {
  const result = answersSchemaOf(definition).safeParse(answers);
  if (result.success) return [];
  return result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((linkId) => ({ linkId, message: `${linkId} is not an item of ${definition.id}` }))
      : [{ linkId: String(issue.path[0] ?? ''), message: issue.message }],
  );
}

/** The total (sum of the item values) and its band; the answers must have passed checkAnswers. */
export function scoreAnswers(definition: QuestionnaireDefinition, answers: Answers): QuestionnaireScore {
  const total = definition.items.reduce((sum, item) => sum + answers[item.linkId], 0);
  return { total, maxScore: definition.maxScore, band: bandOf(definition, total) };
}

export function bandOf(definition: QuestionnaireDefinition, total: number): string {
  const band = [...definition.bands].sort((a, b) => b.from - a.from).find((candidate) => total >= candidate.from);
  return band ? band.label : definition.bands[0].label;
}
