import { ADHERENCE_CHECK, GAD7, PAIN_NRS, PHQ9, WOUND_CHECK, questionnaire } from './instruments';
import { answerAlerts } from './answer-rules';
import { checkAnswers, scoreAnswers, type Answers, type QuestionnaireDefinition } from './questionnaire';
import { questionnairesDue } from './questionnaire-schedule';
import { MENTAL_HEALTH_V1, POST_SURGERY_V1 } from '../pathways';
import { toQuestionnaireResponse, toScoreObservation } from '../fhir/fhir-questionnaire-response';

/** Answers with the given item values in order (item 1 first). */
const answersOf = (definition: QuestionnaireDefinition, values: number[]): Answers =>
  Object.fromEntries(definition.items.map((item, index) => [item.linkId, values[index]]));

describe('PHQ-9 (Kroenke 2001): sum of 9 items scored 0-3, total 0-27, bands at 5, 10, 15, 20', () => {
  it.each([
    [[0, 0, 0, 0, 0, 0, 0, 0, 0], 0, 'minimal'],
    [[1, 1, 1, 1, 0, 0, 0, 0, 0], 4, 'minimal'],
    [[1, 1, 1, 1, 1, 0, 0, 0, 0], 5, 'mild'],
    [[3, 3, 3, 0, 0, 0, 0, 0, 0], 9, 'mild'],
    [[3, 3, 3, 1, 0, 0, 0, 0, 0], 10, 'moderate'],
    [[2, 2, 2, 2, 2, 2, 2, 0, 0], 14, 'moderate'],
    [[3, 3, 3, 3, 3, 0, 0, 0, 0], 15, 'moderately severe'],
    [[3, 3, 3, 3, 3, 3, 1, 0, 0], 19, 'moderately severe'],
    [[3, 3, 3, 3, 3, 3, 2, 0, 0], 20, 'severe'],
    [[3, 3, 3, 3, 3, 3, 3, 3, 3], 27, 'severe'],
  ])('%j scores %i (%s)', (values, total, band) => {
    expect(scoreAnswers(PHQ9, answersOf(PHQ9, values))).toEqual({ total, maxScore: 27, band });
  });
});

describe('GAD-7 (Spitzer 2006): sum of 7 items scored 0-3, total 0-21, bands at 5, 10, 15', () => {
  it.each([
    [[0, 0, 0, 0, 0, 0, 0], 0, 'minimal'],
    [[1, 1, 1, 1, 0, 0, 0], 4, 'minimal'],
    [[1, 1, 1, 1, 1, 0, 0], 5, 'mild'],
    [[3, 3, 3, 0, 0, 0, 0], 9, 'mild'],
    [[3, 3, 3, 1, 0, 0, 0], 10, 'moderate'],
    [[2, 2, 2, 2, 2, 2, 2], 14, 'moderate'],
    [[3, 3, 3, 3, 3, 0, 0], 15, 'severe'],
    [[3, 3, 3, 3, 3, 3, 3], 21, 'severe'],
  ])('%j scores %i (%s)', (values, total, band) => {
    expect(scoreAnswers(GAD7, answersOf(GAD7, values))).toEqual({ total, maxScore: 21, band });
  });
});

describe('pain NRS 0-10 (bands after Serlin 1995: 1-4 mild, 5-6 moderate, 7-10 severe)', () => {
  it.each([
    [0, 'no pain'],
    [1, 'mild'],
    [4, 'mild'],
    [5, 'moderate'],
    [6, 'moderate'],
    [7, 'severe'],
    [10, 'severe'],
  ])('%i is %s', (value, band) => {
    expect(scoreAnswers(PAIN_NRS, { 'pain-1': value })).toEqual({ total: value, maxScore: 10, band });
  });
});

describe('yes/no checklists count the yes answers', () => {
  it.each([
    [WOUND_CHECK, [0, 0, 0, 0], 0, 'no warning signs'],
    [WOUND_CHECK, [0, 0, 1, 0], 1, 'warning signs'],
    [WOUND_CHECK, [1, 1, 1, 1], 4, 'warning signs'],
    [ADHERENCE_CHECK, [0, 0, 0, 0], 0, 'no problems reported'],
    [ADHERENCE_CHECK, [1, 0, 0, 0], 1, 'problems reported'],
  ])('%# %j scores %i', (definition, values, total, band) => {
    expect(scoreAnswers(definition, answersOf(definition, values))).toMatchObject({ total, band });
  });
});

describe('checking answers names the item', () => {
  it('accepts every item answered in range', () => {
    expect(checkAnswers(PHQ9, answersOf(PHQ9, [0, 1, 2, 3, 0, 1, 2, 3, 0]))).toEqual([]);
  });
  it('names a missing item', () => {
    const answers: Record<string, unknown> = answersOf(PHQ9, [0, 0, 0, 0, 0, 0, 0, 0, 0]);
    delete answers['phq9-9'];
    expect(checkAnswers(PHQ9, answers)).toEqual([{ linkId: 'phq9-9', message: 'phq9-9 is required' }]);
  });
  it.each([4, -1, 1.5, '2', null])('names an item answered %j', (value) => {
    expect(checkAnswers(GAD7, { ...answersOf(GAD7, [0, 0, 0, 0, 0, 0, 0]), 'gad7-3': value })).toEqual([
      { linkId: 'gad7-3', message: 'gad7-3 must be one of 0..3' },
    ]);
  });
  it('refuses 11 on the pain scale and an unknown item', () => {
    expect(checkAnswers(PAIN_NRS, { 'pain-1': 11, extra: 1 }).map((issue) => issue.linkId)).toEqual(['pain-1', 'extra']);
  });
  it('knows only its instruments', () => {
    expect(questionnaire('phq9')).toBe(PHQ9);
    expect(questionnaire('mmas8')).toBeUndefined();
    expect(questionnaire('constructor')).toBeUndefined();
  });
});

describe('answer rules', () => {
  const rules = (definition: QuestionnaireDefinition, values: number[], postOperative = false) => {
    const answers = answersOf(definition, values);
    return answerAlerts(definition, answers, scoreAnswers(definition, answers), { postOperative }).map((alert) => [alert.episode, alert.severity]);
  };
  it.each([
    ['PHQ-9 item 9 at 0, total 0', [0, 0, 0, 0, 0, 0, 0, 0, 0], []],
    ['PHQ-9 item 9 at 1 with a minimal total: urgent', [0, 0, 0, 0, 0, 0, 0, 0, 1], [['phq9-self-harm', 'urgent']]],
    ['PHQ-9 total 19', [3, 3, 3, 3, 3, 3, 1, 0, 0], []],
    ['PHQ-9 total 20: warning', [3, 3, 3, 3, 3, 3, 2, 0, 0], [['phq9-severe', 'warning']]],
    [
      'PHQ-9 total 27: both',
      [3, 3, 3, 3, 3, 3, 3, 3, 3],
      [
        ['phq9-self-harm', 'urgent'],
        ['phq9-severe', 'warning'],
      ],
    ],
  ])('%s', (_name, values, expected) => {
    expect(rules(PHQ9, values as number[])).toEqual(expected);
  });
  it.each([
    [6, true, []],
    [7, true, [['post-op-pain', 'warning']]],
    [10, false, []],
  ])('pain %i (post-operative %s)', (value, postOperative, expected) => {
    expect(rules(PAIN_NRS, [value], postOperative)).toEqual(expected);
  });
  it.each([
    [[0, 0, 0, 0], []],
    [[0, 0, 0, 1], [['wound-warning-signs', 'warning']]],
    [[1, 0, 0, 0], [['wound-warning-signs', 'warning']]],
  ])('wound check %j', (values, expected) => {
    expect(rules(WOUND_CHECK, values)).toEqual(expected);
  });
  it('GAD-7 and the medication check raise no alert', () => {
    expect(rules(GAD7, [3, 3, 3, 3, 3, 3, 3])).toEqual([]);
    expect(rules(ADHERENCE_CHECK, [1, 1, 1, 1])).toEqual([]);
  });
});

describe('questionnaires due by pathway', () => {
  const enrolled = new Date('2026-01-01T00:00:00Z');
  it('asks a never-answered questionnaire from enrolment, then every everyDays after the last response', () => {
    const due = questionnairesDue(MENTAL_HEALTH_V1, new Map([['phq9', new Date('2026-01-10T00:00:00Z')]]), enrolled, new Date('2026-01-24T00:00:00Z'));
    expect(due.map(({ instrument, dueAt, due }) => [instrument, dueAt.toISOString(), due])).toEqual([
      ['phq9', '2026-01-24T00:00:00.000Z', true],
      ['gad7', '2026-01-01T00:00:00.000Z', true],
    ]);
    expect(questionnairesDue(MENTAL_HEALTH_V1, new Map([['phq9', new Date('2026-01-10T00:00:01Z')]]), enrolled, new Date('2026-01-24T00:00:00Z'))[0].due).toBe(
      false,
    );
  });
  it('post-surgery asks pain and wound checks; no pathway asks nothing', () => {
    expect(questionnairesDue(POST_SURGERY_V1, new Map(), enrolled, enrolled).map((due) => due.instrument)).toEqual(['pain_nrs', 'wound_check']);
    expect(questionnairesDue(undefined, new Map(), enrolled, enrolled)).toEqual([]);
  });
});

describe('FHIR R4 export of a response', () => {
  const stored = {
    id: '6F1C2D3E-0000-4000-8000-000000000001',
    patientId: 'p-1',
    answers: answersOf(PHQ9, [3, 3, 3, 3, 3, 3, 2, 0, 1]),
    total: 21,
    band: 'severe',
    answeredAt: '2026-01-05T10:00:00.000Z',
  };
  it('lists every item with its answer under the instrument canonical', () => {
    const resource = toQuestionnaireResponse(PHQ9, stored);
    expect(resource).toMatchObject({
      resourceType: 'QuestionnaireResponse',
      id: stored.id.toLowerCase(),
      status: 'completed',
      questionnaire: 'urn:rpm:questionnaire:phq9|1',
    });
    expect(resource.item).toHaveLength(9);
    expect(resource.item[8]).toEqual({ linkId: 'phq9-9', text: PHQ9.items[8].text, answer: [{ valueInteger: 1 }] });
  });
  it('exports the PHQ-9 total as LOINC 44261-6 and the GAD-7 total as 70274-6, derived from the response', () => {
    expect(toScoreObservation(PHQ9, stored)).toMatchObject({
      code: { coding: [{ system: 'http://loinc.org', code: '44261-6' }] },
      valueInteger: 21,
      derivedFrom: [{ reference: `QuestionnaireResponse/${stored.id.toLowerCase()}` }],
    });
    expect(toScoreObservation(GAD7, stored)?.code.coding[0].code).toBe('70274-6');
    expect(toScoreObservation(WOUND_CHECK, stored)).toBeUndefined();
  });
});
