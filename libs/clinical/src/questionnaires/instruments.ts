import type { AnswerOption, InstrumentId, QuestionnaireDefinition, QuestionnaireItem } from './questionnaire';

/*
 * The instruments, version 1. Sources, scoring and bands: docs/questionnaires.md.
 * PHQ-9 and GAD-7 were developed by Drs Spitzer, Williams, Kroenke and colleagues with an educational grant from
 * Pfizer; no permission is required to reproduce, translate, display or distribute them.
 */

/** PHQ-9 / GAD-7 frequency options: "over the last 2 weeks, how often ..." (Kroenke 2001; Spitzer 2006). */
const FREQUENCY: AnswerOption[] = [
  { value: 0, label: 'Not at all' },
  { value: 1, label: 'Several days' },
  { value: 2, label: 'More than half the days' },
  { value: 3, label: 'Nearly every day' },
];
const YES_NO: AnswerOption[] = [
  { value: 0, label: 'No' },
  { value: 1, label: 'Yes' },
];
const frequencyItems = (prefix: string, texts: string[]): QuestionnaireItem[] =>
  texts.map((text, index) => ({ linkId: `${prefix}-${index + 1}`, text, options: FREQUENCY }));

/** Kroenke K, Spitzer RL, Williams JB. The PHQ-9. J Gen Intern Med 2001;16(9):606-613. */
export const PHQ9: QuestionnaireDefinition = {
  id: 'phq9',
  version: 1,
  title: 'Patient Health Questionnaire (PHQ-9)',
  stem: 'Over the last 2 weeks, how often have you been bothered by any of the following problems?',
  source: 'Kroenke, Spitzer, Williams. J Gen Intern Med 2001;16:606-613 (public domain)',
  items: frequencyItems('phq9', [
    'Little interest or pleasure in doing things',
    'Feeling down, depressed, or hopeless',
    'Trouble falling or staying asleep, or sleeping too much',
    'Feeling tired or having little energy',
    'Poor appetite or overeating',
    'Feeling bad about yourself, or that you are a failure or have let yourself or your family down',
    'Trouble concentrating on things, such as reading the newspaper or watching television',
    'Moving or speaking so slowly that other people could have noticed, or the opposite: being so fidgety or restless that you have been moving around a lot more than usual',
    'Thoughts that you would be better off dead, or of hurting yourself in some way',
  ]),
  maxScore: 27,
  bands: [
    { from: 0, label: 'minimal' },
    { from: 5, label: 'mild' },
    { from: 10, label: 'moderate' },
    { from: 15, label: 'moderately severe' },
    { from: 20, label: 'severe' },
  ],
  totalLoinc: { code: '44261-6', display: 'Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]' },
};

/** Spitzer RL, Kroenke K, Williams JB, Löwe B. The GAD-7. Arch Intern Med 2006;166(10):1092-1097. */
export const GAD7: QuestionnaireDefinition = {
  id: 'gad7',
  version: 1,
  title: 'Generalized Anxiety Disorder scale (GAD-7)',
  stem: 'Over the last 2 weeks, how often have you been bothered by the following problems?',
  source: 'Spitzer, Kroenke, Williams, Löwe. Arch Intern Med 2006;166:1092-1097 (public domain)',
  items: frequencyItems('gad7', [
    'Feeling nervous, anxious, or on edge',
    'Not being able to stop or control worrying',
    'Worrying too much about different things',
    'Trouble relaxing',
    'Being so restless that it is hard to sit still',
    'Becoming easily annoyed or irritable',
    'Feeling afraid, as if something awful might happen',
  ]),
  maxScore: 21,
  bands: [
    { from: 0, label: 'minimal' },
    { from: 5, label: 'mild' },
    { from: 10, label: 'moderate' },
    { from: 15, label: 'severe' },
  ],
  totalLoinc: { code: '70274-6', display: 'Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]' },
};

/** 0-10 numeric rating scale of pain intensity; bands after Serlin et al., Pain 1995;61:277-284 (1-4 / 5-6 / 7-10). */
export const PAIN_NRS: QuestionnaireDefinition = {
  id: 'pain_nrs',
  version: 1,
  title: 'Pain score (0-10 numeric rating scale)',
  stem: 'On a scale of 0 (no pain) to 10 (worst pain imaginable), how bad is your pain right now?',
  source: 'numeric rating scale (Hawker 2011, Arthritis Care Res 63:S240); bands: Serlin 1995, Pain 61:277-284',
  items: [
    {
      linkId: 'pain-1',
      text: 'Pain right now, 0 (no pain) to 10 (worst pain imaginable)',
      options: Array.from({ length: 11 }, (_, value) => ({ value, label: String(value) })),
    },
  ],
  maxScore: 10,
  bands: [
    { from: 0, label: 'no pain' },
    { from: 1, label: 'mild' },
    { from: 5, label: 'moderate' },
    { from: 7, label: 'severe' },
  ],
  totalLoinc: { code: '72514-3', display: 'Pain severity - 0-10 verbal numeric rating [Score] - Reported' },
};

/** Wound check after surgery: the signs of surgical site infection or dehiscence a patient can report. */
export const WOUND_CHECK: QuestionnaireDefinition = {
  id: 'wound_check',
  version: 1,
  title: 'Wound check after surgery',
  stem: 'Since your last check, have you noticed any of the following?',
  source: 'platform checklist of surgical site infection signs (NICE NG125; CDC SSI criteria): any yes is a warning',
  items: [
    { linkId: 'wound-redness', text: 'Redness or swelling spreading around the wound', options: YES_NO },
    { linkId: 'wound-discharge', text: 'Pus or fluid leaking from the wound', options: YES_NO },
    { linkId: 'wound-fever', text: 'A fever (38 °C or higher) or feeling hot and shivery', options: YES_NO },
    { linkId: 'wound-opening', text: 'The wound opening up', options: YES_NO },
  ],
  maxScore: 4,
  bands: [
    { from: 0, label: 'no warning signs' },
    { from: 1, label: 'warning signs' },
  ],
};

/** Written for this platform (not a licensed instrument; the Morisky MMAS-8 is licensed and not used). */
export const ADHERENCE_CHECK: QuestionnaireDefinition = {
  id: 'adherence_check',
  version: 1,
  title: 'Medication check',
  stem: 'In the last 7 days:',
  source: 'written for this platform: a count of reported problems, not a validated adherence score',
  items: [
    { linkId: 'adherence-missed', text: 'Did you miss any doses of your medicines?', options: YES_NO },
    { linkId: 'adherence-stopped', text: 'Did you stop or change a medicine without talking to your care team?', options: YES_NO },
    { linkId: 'adherence-ran-out', text: 'Did you run out of any of your medicines?', options: YES_NO },
    { linkId: 'adherence-side-effects', text: 'Did side effects make you skip or change a dose?', options: YES_NO },
  ],
  maxScore: 4,
  bands: [
    { from: 0, label: 'no problems reported' },
    { from: 1, label: 'problems reported' },
  ],
};

/**
 * The follow-up programme's feedback loop, written for this platform (not a validated instrument): given after
 * each contact, open for SATISFACTION_SURVEY_OPEN_DAYS. Item 1 is the satisfaction the dashboard averages (1-5).
 */
export const CONTACT_SATISFACTION: QuestionnaireDefinition = {
  id: 'contact_satisfaction',
  version: 1,
  title: 'Your last contact with the care team',
  stem: 'About your last call, video call, visit or message with your care team:',
  source: 'written for this platform: a short satisfaction survey after each contact, not a validated instrument',
  assignedOnly: true,
  items: [
    {
      linkId: 'satisfaction-overall',
      text: 'Overall, how satisfied are you with this contact?',
      options: [
        { value: 1, label: 'Very dissatisfied' },
        { value: 2, label: 'Dissatisfied' },
        { value: 3, label: 'Neither satisfied nor dissatisfied' },
        { value: 4, label: 'Satisfied' },
        { value: 5, label: 'Very satisfied' },
      ],
    },
    {
      linkId: 'satisfaction-helped',
      text: 'Did the contact help you?',
      options: [
        { value: 0, label: 'No' },
        { value: 1, label: 'Partly' },
        { value: 2, label: 'Yes' },
      ],
    },
    {
      linkId: 'satisfaction-recommend',
      text: 'Would you recommend this follow-up programme to someone in your situation?',
      options: [
        { value: 0, label: 'No' },
        { value: 1, label: 'Not sure' },
        { value: 2, label: 'Yes' },
      ],
    },
  ],
  maxScore: 9,
  bands: [
    { from: 0, label: 'low satisfaction' },
    { from: 5, label: 'moderate satisfaction' },
    { from: 8, label: 'high satisfaction' },
  ],
};
/** How long the survey after a contact stays open for the patient (a platform choice: about two weeks). */
export const SATISFACTION_SURVEY_OPEN_DAYS = 14;

export const QUESTIONNAIRES: Record<InstrumentId, QuestionnaireDefinition> = {
  phq9: PHQ9,
  gad7: GAD7,
  pain_nrs: PAIN_NRS,
  wound_check: WOUND_CHECK,
  adherence_check: ADHERENCE_CHECK,
  contact_satisfaction: CONTACT_SATISFACTION,
};

/** The definition of an instrument; undefined when unknown. */
export function questionnaire(id: string): QuestionnaireDefinition | undefined {
  return Object.prototype.hasOwnProperty.call(QUESTIONNAIRES, id) ? QUESTIONNAIRES[id as InstrumentId] : undefined;
}
