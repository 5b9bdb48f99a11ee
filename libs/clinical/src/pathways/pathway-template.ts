/**
 * A follow-up pathway as data: a clinic can read a template, adjust a copy and publish it under a new
 * version, as with alert rules. Templates hold no code: criteria are facts compared with thresholds, and the
 * policy (../follow-up/follow-up-policy.ts) is the one pure function that reads them.
 */
export type RiskTier = 'high' | 'medium' | 'low';

/** What the data say about a patient, as the daily assessment gathers them (see Assessment). */
export type AssessmentFact =
  | 'urgentAlerts'
  | 'warningAlerts'
  | 'cvPercent'
  | 'timeInRangePercent'
  | 'timeBelow70Percent'
  | 'timeBelow54Percent'
  | 'homeSystolic'
  | 'homeDiastolic'
  | 'adherencePercent';

/** One comparison of a fact with a threshold; a fact not measured never meets a criterion. */
export interface Criterion {
  fact: AssessmentFact;
  /** Met when the value is strictly above / strictly below / at least the threshold. */
  op: '>' | '<' | '>=';
  value: number;
  /** How the reason names the fact, e.g. "glucose CV". */
  label: string;
  unit: string;
  /** What the threshold is, for the reason: "(target <= 36%)". */
  target?: string;
}

/** A level of a ladder schedule: how often to contact, and how many stable contacts lead down to it. */
export interface LadderLevel {
  tier: RiskTier;
  intervalDays: number;
  /** Consecutive stable contacts at the level above before this level is proposed (0 for the first level). */
  stableContactsToReach: number;
  label: string;
}

export type PathwaySchedule =
  /** Contact interval follows the data: level 0 is the most frequent; unstable data go back to it at once. */
  | { kind: 'ladder'; levels: LadderLevel[]; startLevel: number }
  /**
   * Contacts on fixed days after an anchor (the surgery or discharge date), then every `thenEveryDays`.
   * Each due date is anchor + step, whenever the previous contact happened, so dates never drift.
   */
  | { kind: 'anchored'; anchor: 'surgery' | 'discharge'; stepsDays: number[]; thenEveryDays: number; interimContactDays: number };

/** A recurring item of its own beside the contacts (e.g. the quarterly comprehensive diabetes review). */
export interface RecurringItem {
  kind: 'comprehensive_review';
  everyDays: number;
  label: string;
}

/** An action a criterion calls for: an intervention the nurse starts, or a referral to a team member. */
export interface Action {
  when: Criterion[];
  action: string;
  /** For a referral: who takes it (doctor, dietitian, psychologist, surgeon ...). */
  to?: string;
}

export interface PathwayTemplate {
  id: string;
  version: number;
  title: string;
  /** Where the numbers come from (docs/follow-up-pathways.md carries every one). */
  source: string;
  schedule: PathwaySchedule;
  /** Any one met: the data are unstable (step up at once, or an interim contact on an anchored pathway). */
  unstableWhen: Criterion[];
  /** Facts that must be measured before a review can call the patient stable (no data is not control). */
  stableRequires: AssessmentFact[];
  /** Below this share of the device's own cadence the data are too thin to call the patient stable. */
  adherenceBelowPercent: number;
  recurring: RecurringItem[];
  /** What every contact checks. */
  contactChecks: string[];
  interventions: Action[];
  referrals: Action[];
  /**
   * When a patient has stopped uploading: a device that sent less than `belowPercent`% of its cadence over the
   * last `afterDays[kind]` days is silent, and the follow-up nurse is asked to check on the patient
   * (../follow-up/silence.ts). Kinds without a number are not judged.
   */
  silence?: SilenceRule;
  /** Patient-reported questionnaires the pathway asks, and how often (../questionnaires; docs/questionnaires.md). */
  questionnaires?: QuestionnaireAssignment[];
}

export interface SilenceRule {
  /** Days by device kind; at most 14 (the daily assessment reads the last 14 days reading by reading). */
  afterDays: Partial<Record<string, number>>;
  belowPercent: number;
}

/** A questionnaire a pathway asks every `everyDays` days. */
export interface QuestionnaireAssignment {
  instrument: 'phq9' | 'gad7' | 'pain_nrs' | 'wound_check' | 'adherence_check';
  everyDays: number;
}
