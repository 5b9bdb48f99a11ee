import type { Criterion, PathwayTemplate, SilenceRule } from './pathway-template';

/*
 * Default pathways, version 1. Numbers and sources: docs/follow-up-pathways.md and
 * docs/clinical-references.md ("Follow-up frequency").
 * Diabetes: weekly contact while glucose swings (CV > 36%, TIR < 70% or TBR < 70 mg/dL > 4%, Battelino 2019),
 * monthly once stable, with the quarterly comprehensive review as its own recurring item (ADA 6.2).
 * Hypertension: every 2 weeks until the 7-day home mean is < 135/85, monthly after 6 weeks controlled, then
 * every 2 months (HyperLink, JAMA 2013; ACC/AHA home equivalents). Post-surgery: 7, 30, 90, 180, 365 days
 * after surgery, then yearly (an institutional convention, configurable).
 */

const urgentAlert: Criterion = { fact: 'urgentAlerts', op: '>=', value: 1, label: 'urgent alerts in 30 days (live or retrospective)', unit: '' };
const cv: Criterion = { fact: 'cvPercent', op: '>', value: 36, label: 'glucose CV', unit: '%', target: 'target <= 36%' };
const tir: Criterion = { fact: 'timeInRangePercent', op: '<', value: 70, label: 'time in range 70-180', unit: '%', target: 'target > 70%' };
const tbr: Criterion = { fact: 'timeBelow70Percent', op: '>', value: 4, label: 'time below 70 mg/dL', unit: '%', target: 'target < 4%' };
const tbr54: Criterion = { fact: 'timeBelow54Percent', op: '>', value: 1, label: 'time below 54 mg/dL', unit: '%', target: 'target < 1%' };
const homeSystolic: Criterion = { fact: 'homeSystolic', op: '>=', value: 135, label: 'home systolic mean', unit: ' mmHg', target: 'target < 135' };
const homeDiastolic: Criterion = { fact: 'homeDiastolic', op: '>=', value: 85, label: 'home diastolic mean', unit: ' mmHg', target: 'target < 85' };
const poorAdherence: Criterion = {
  fact: 'adherencePercent',
  op: '<',
  value: 70,
  label: "readings of the device's own cadence",
  unit: '%',
  target: 'expected >= 70%',
};

/**
 * No data (platform choices, docs/follow-up-pathways.md "No data"): a CGM or wearable silent for 3 days (a
 * sensor session is 10-14 days, so 3 days without data is a fallen-off or unpaired sensor, not a gap), a cuff,
 * meter or oximeter used once or twice a day silent for 7 days (a week of home readings, the ESH home protocol's
 * span); "silent" is under 10% of the device's cadence (a cuff: at most 1 reading in 7 days).
 */
const SILENCE: SilenceRule = {
  afterDays: { cgm: 3, wearable: 3, blood_pressure_cuff: 7, glucose_meter: 7, pulse_oximeter: 7 },
  belowPercent: 10,
};

export const DIABETES_V1: PathwayTemplate = {
  id: 'diabetes',
  version: 1,
  title: 'Diabetes (CGM or meter)',
  source: 'ADA Standards of Care 6.2; Battelino 2019 (Diabetes Care 42:1593); seed programme: weekly while swinging, monthly once stable',
  schedule: {
    kind: 'ladder',
    startLevel: 1,
    levels: [
      { tier: 'high', intervalDays: 7, stableContactsToReach: 0, label: 'weekly while glucose swings' },
      { tier: 'low', intervalDays: 30, stableContactsToReach: 2, label: 'monthly once stable' },
    ],
  },
  unstableWhen: [urgentAlert, cv, tir, tbr, tbr54],
  stableRequires: ['timeInRangePercent'],
  adherenceBelowPercent: 70,
  silence: SILENCE,
  recurring: [{ kind: 'comprehensive_review', everyDays: 90, label: 'quarterly comprehensive review (HbA1c/GMI, therapy, complications screen)' }],
  contactChecks: ['hypoglycaemia since the last contact', 'time in range, CV and time below range', 'sensor wear and uploads', 'medication and sick-day rules'],
  interventions: [
    { when: [tbr54], action: 'review insulin doses with the doctor the same week' },
    { when: [poorAdherence], action: 'check sensor wear and uploads with the patient' },
  ],
  referrals: [
    { when: [tir], action: 'dietitian review of meals and carbohydrate counting', to: 'dietitian' },
    { when: [urgentAlert], action: 'doctor review of therapy after an urgent alert', to: 'doctor' },
  ],
  questionnaires: [{ instrument: 'adherence_check', everyDays: 30 }],
};

export const HYPERTENSION_V1: PathwayTemplate = {
  id: 'hypertension',
  version: 1,
  title: 'Hypertension (home blood pressure)',
  source: 'HyperLink trial (JAMA 2013); 2017 ACC/AHA home equivalents (135/85)',
  schedule: {
    kind: 'ladder',
    startLevel: 0,
    levels: [
      { tier: 'high', intervalDays: 14, stableContactsToReach: 0, label: 'every 2 weeks until controlled' },
      { tier: 'medium', intervalDays: 30, stableContactsToReach: 3, label: 'monthly once controlled for 6 weeks' },
      { tier: 'low', intervalDays: 60, stableContactsToReach: 2, label: 'every 2 months while controlled' },
    ],
  },
  unstableWhen: [urgentAlert, homeSystolic, homeDiastolic],
  stableRequires: ['homeSystolic'],
  adherenceBelowPercent: 70,
  recurring: [],
  silence: SILENCE,
  contactChecks: ['7-day home mean (first day discarded)', 'medication adherence and side effects', 'measurement technique'],
  interventions: [{ when: [homeSystolic], action: 'titrate antihypertensive medication per protocol' }],
  referrals: [{ when: [urgentAlert], action: 'doctor review after a hypertensive crisis', to: 'doctor' }],
  questionnaires: [{ instrument: 'adherence_check', everyDays: 30 }],
};

export const POST_SURGERY_V1: PathwayTemplate = {
  id: 'post_surgery',
  version: 1,
  title: 'After surgery',
  source: 'institutional convention: 1 week, 1 month, 3, 6, 12 months after surgery, then yearly',
  schedule: { kind: 'anchored', anchor: 'surgery', stepsDays: [7, 30, 90, 180, 365], thenEveryDays: 365, interimContactDays: 7 },
  unstableWhen: [urgentAlert],
  stableRequires: [],
  adherenceBelowPercent: 70,
  recurring: [],
  silence: SILENCE,
  contactChecks: ['wound and pain', 'vital signs trend', 'mobility and return to activity', 'medication'],
  interventions: [{ when: [urgentAlert], action: 'interim contact within 7 days' }],
  referrals: [{ when: [urgentAlert], action: 'surgical team review', to: 'surgeon' }],
  // Daily pain and wound checks while the wound heals (the first weeks; the clinic shortens or ends them).
  questionnaires: [
    { instrument: 'pain_nrs', everyDays: 1 },
    { instrument: 'wound_check', everyDays: 1 },
  ],
};

/** Oncology after surgery: the post-surgery anchor with 3-monthly contacts for the first two years (to be set by the clinic). */
export const ONCOLOGY_POST_SURGERY_V1: PathwayTemplate = {
  ...POST_SURGERY_V1,
  id: 'oncology_post_surgery',
  title: 'Oncology after surgery',
  source: 'clinic-defined template: anchored on the surgery date like post-surgery; intervals are the clinic’s to set',
  schedule: { kind: 'anchored', anchor: 'surgery', stepsDays: [7, 30, 90, 180, 270, 365, 545, 730], thenEveryDays: 365, interimContactDays: 7 },
  referrals: [...POST_SURGERY_V1.referrals, { when: [urgentAlert], action: 'oncology team review', to: 'oncologist' }],
  questionnaires: [...(POST_SURGERY_V1.questionnaires ?? []), { instrument: 'phq9', everyDays: 28 }],
};

/** Mental health: a ladder of its own, weekly while unstable, fortnightly, then monthly (the clinic sets the criteria). */
export const MENTAL_HEALTH_V1: PathwayTemplate = {
  id: 'mental_health',
  version: 1,
  title: 'Mental health',
  source: 'clinic-defined template: weekly while unstable, fortnightly, then monthly; criteria are the clinic’s to set',
  schedule: {
    kind: 'ladder',
    startLevel: 0,
    levels: [
      { tier: 'high', intervalDays: 7, stableContactsToReach: 0, label: 'weekly' },
      { tier: 'medium', intervalDays: 14, stableContactsToReach: 2, label: 'fortnightly' },
      { tier: 'low', intervalDays: 30, stableContactsToReach: 2, label: 'monthly' },
    ],
  },
  unstableWhen: [urgentAlert],
  stableRequires: [],
  adherenceBelowPercent: 70,
  recurring: [],
  silence: SILENCE,
  contactChecks: ['mood and sleep', 'risk assessment', 'medication and therapy attendance'],
  interventions: [],
  referrals: [{ when: [urgentAlert], action: 'psychologist review', to: 'psychologist' }],
  // PHQ-9 and GAD-7 ask about the last 2 weeks, so every 14 days.
  questionnaires: [
    { instrument: 'phq9', everyDays: 14 },
    { instrument: 'gad7', everyDays: 14 },
  ],
};

export const DEFAULT_PATHWAYS: readonly PathwayTemplate[] = [DIABETES_V1, HYPERTENSION_V1, POST_SURGERY_V1, ONCOLOGY_POST_SURGERY_V1, MENTAL_HEALTH_V1];
export const PATHWAY_IDS = ['diabetes', 'hypertension', 'post_surgery', 'oncology_post_surgery', 'mental_health'] as const;
export type PathwayId = (typeof PATHWAY_IDS)[number];

/** The template of a pathway at a version (the newest when no version is given); undefined when unknown. */
export function pathwayTemplate(id: string, version?: number, templates: readonly PathwayTemplate[] = DEFAULT_PATHWAYS): PathwayTemplate | undefined {
  const matching = templates.filter((template) => template.id === id && (version === undefined || template.version === version));
  return matching.sort((a, b) => b.version - a.version)[0];
}
