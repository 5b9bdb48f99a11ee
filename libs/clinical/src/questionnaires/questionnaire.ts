/**
 * Patient-reported outcomes as data: a questionnaire is its items, the answers each item allows (each with
 * the points it scores), how the total is summed and the bands it falls in. Pure: no I/O. Sources and every
 * number: docs/questionnaires.md.
 */
export const INSTRUMENT_IDS = ['phq9', 'gad7', 'pain_nrs', 'wound_check', 'adherence_check'] as const;
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

/** Every item answered with one of its options, and no item the instrument does not have. */
export function checkAnswers(definition: QuestionnaireDefinition, answers: Record<string, unknown>): AnswerIssue[] {
  const issues: AnswerIssue[] = [];
  for (const item of definition.items) {
    const value = answers[item.linkId];
    if (value === undefined) issues.push({ linkId: item.linkId, message: `${item.linkId} is required` });
    else if (typeof value !== 'number' || !item.options.some((option) => option.value === value)) {
      const values = item.options.map((option) => option.value);
      issues.push({ linkId: item.linkId, message: `${item.linkId} must be one of ${values[0]}..${values[values.length - 1]}` });
    }
  }
  const known = new Set(definition.items.map((item) => item.linkId));
  for (const linkId of Object.keys(answers)) if (!known.has(linkId)) issues.push({ linkId, message: `${linkId} is not an item of ${definition.id}` });
  return issues;
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
