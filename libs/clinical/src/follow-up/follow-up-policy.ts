/**
 * Follow-up that follows the data, as pure functions over a pathway template (../pathways). Sources
 * (docs/follow-up-pathways.md; docs/clinical-references.md, "Follow-up frequency"): ADA 6.2 and Battelino
 * 2019 for diabetes, HyperLink (JAMA 2013) and the 2017 ACC/AHA home equivalents for hypertension, the
 * institutional post-surgery step-down, Simple.org for missed (90 days overdue) and lost to follow-up
 * (12 months without a contact).
 *
 * The daily assessment only proposes; a due date moves only when a contact is recorded, a proposal is
 * confirmed or a clinician sets it (recordContact, applyChange, clinicianSet).
 */
import type { AssessmentFact, Criterion, PathwayTemplate, RiskTier } from '../pathways/pathway-template';

const DAY = 86_400_000;
const addDays = (at: Date, days: number) => new Date(at.getTime() + days * DAY);
/** Values are exact: decisions are taken on them, and they are rounded only in the reasons shown. */
const shown = (value: number) => Math.round(value * 10) / 10;

/** What the data say about a patient over the last 30 days (alerts live or retrospective alike). */
export interface Assessment {
  urgentAlerts: number;
  warningAlerts: number;
  /** Days with at least one reading, of 30: shown, not judged (adherence is judged on the device's cadence). */
  daysWithData: number;
  /** Readings received as a share of what the patient's devices take at their own cadence, % (lowest device). */
  adherencePercent?: number;
  /** CGM metrics over 14 days, when measured. */
  cvPercent?: number;
  timeInRangePercent?: number;
  timeBelow70Percent?: number;
  timeBelow54Percent?: number;
  /** 7-day home BP mean, mmHg, when measured. */
  homeBp?: { systolic: number; diastolic: number };
}

/** Expected readings per day by device kind: the denominator of adherence. */
export const DEVICE_READINGS_PER_DAY: Record<string, number> = {
  cgm: 288, // a 5-minute sensor (Battelino 2019: >= 70% of possible readings is sufficient)
  blood_pressure_cuff: 2, // morning and evening sessions (Hypertension Canada, ESH home protocol)
  glucose_meter: 2,
  pulse_oximeter: 1,
  wearable: 24,
};

/** Readings received as a share of the device's cadence over `days`, % (capped at 100); undefined for a kind without one. */
export function adherencePercent(deviceKind: string, readings: number, days: number): number | undefined {
  const perDay = DEVICE_READINGS_PER_DAY[deviceKind];
  if (!perDay || days <= 0) return undefined;
  return Math.min(100, (readings / (perDay * days)) * 100);
}

function factValue(assessment: Assessment, fact: AssessmentFact): number | undefined {
  switch (fact) {
    case 'urgentAlerts':
      return assessment.urgentAlerts;
    case 'warningAlerts':
      return assessment.warningAlerts;
    case 'cvPercent':
      return assessment.cvPercent;
    case 'timeInRangePercent':
      return assessment.timeInRangePercent;
    case 'timeBelow70Percent':
      return assessment.timeBelow70Percent;
    case 'timeBelow54Percent':
      return assessment.timeBelow54Percent;
    case 'homeSystolic':
      return assessment.homeBp?.systolic;
    case 'homeDiastolic':
      return assessment.homeBp?.diastolic;
    case 'adherencePercent':
      return assessment.adherencePercent;
  }
}

/** The sentence for a criterion met, or null when it is not (a fact not measured never meets one). */
export function criterionMet(criterion: Criterion, assessment: Assessment): string | null {
  const value = factValue(assessment, criterion.fact);
  if (value === undefined) return null;
  const met = criterion.op === '>' ? value > criterion.value : criterion.op === '<' ? value < criterion.value : value >= criterion.value;
  if (!met) return null;
  if (criterion.fact === 'urgentAlerts' || criterion.fact === 'warningAlerts') return `${value} ${criterion.label}`;
  return `${criterion.label} ${shown(value)}${criterion.unit}${criterion.target ? ` (${criterion.target})` : ''}`;
}

export type DataState = 'unstable' | 'stable' | 'undetermined';

export interface Judgement {
  state: DataState;
  /** Sentences for the clinician: the criteria met, or why the data cannot tell. */
  reasons: string[];
  interventions: string[];
  referrals: { to: string; action: string }[];
}

/**
 * Judges an assessment against a pathway: unstable when any unstable criterion is met; stable when none is,
 * the facts the pathway needs are measured and the devices kept to their cadence; otherwise undetermined
 * (too little data to step down, and no reason to step up).
 */
export function judge(template: PathwayTemplate, assessment: Assessment): Judgement {
  const actions = (list: PathwayTemplate['interventions']) => list.filter((action) => action.when.some((criterion) => criterionMet(criterion, assessment)));
  const interventions = actions(template.interventions).map((action) => action.action);
  const referrals = actions(template.referrals).map((action) => ({ to: action.to ?? 'doctor', action: action.action }));
  const unstable = template.unstableWhen.map((criterion) => criterionMet(criterion, assessment)).filter((reason): reason is string => reason !== null);
  if (unstable.length) return { state: 'unstable', reasons: unstable, interventions, referrals };
  const missing = template.stableRequires.filter((fact) => factValue(assessment, fact) === undefined);
  if (missing.length) return { state: 'undetermined', reasons: [`not measured: ${missing.join(', ')}`], interventions, referrals };
  if (assessment.adherencePercent !== undefined && assessment.adherencePercent < template.adherenceBelowPercent) {
    return {
      state: 'undetermined',
      reasons: [`readings at ${shown(assessment.adherencePercent)}% of the device's cadence (< ${template.adherenceBelowPercent}%)`],
      interventions,
      referrals,
    };
  }
  return { state: 'stable', reasons: ['at target, with readings at the device’s cadence and no urgent alert'], interventions, referrals };
}

/** A plan as the policy sees it. `level`: the ladder level, or on an anchored pathway the index of the step due next. */
export interface PlanState {
  pathway: string;
  pathwayVersion: number;
  tier: RiskTier;
  level: number;
  intervalDays: number;
  /** Consecutive contacts at which the data were stable. */
  stableContacts: number;
  nextDueAt: Date;
  /** Surgery/discharge date on an anchored pathway; the enrolment date otherwise. */
  anchorAt: Date;
  lastContactAt: Date | null;
  /** The next recurring comprehensive review, when the pathway has one. */
  reviewDueAt: Date | null;
}

/** The date of step `index` of an anchored schedule: anchor + step, then every `thenEveryDays` after the last. */
export function anchoredDueAt(template: PathwayTemplate, anchorAt: Date, index: number): Date {
  if (template.schedule.kind !== 'anchored') throw new Error(`${template.id} is not an anchored pathway`);
  const { stepsDays, thenEveryDays } = template.schedule;
  if (index < 0) return anchorAt;
  if (index < stepsDays.length) return addDays(anchorAt, stepsDays[index]);
  return addDays(anchorAt, stepsDays[stepsDays.length - 1] + (index - stepsDays.length + 1) * thenEveryDays);
}

const daysBetween = (from: Date, to: Date) => Math.round((to.getTime() - from.getTime()) / DAY);

function anchoredStep(template: PathwayTemplate, plan: Omit<PlanState, 'intervalDays' | 'nextDueAt'>, level: number): PlanState {
  const nextDueAt = anchoredDueAt(template, plan.anchorAt, level);
  return { ...plan, level, nextDueAt, intervalDays: daysBetween(anchoredDueAt(template, plan.anchorAt, level - 1), nextDueAt) };
}

/**
 * The plan at enrolment. Ladder: the pathway's start level from `start`. Anchored: the first step after
 * `start` counted from the anchor (a patient enrolled on day 20 after surgery is next due on day 30).
 */
export function initialPlan(template: PathwayTemplate, start: Date, anchorAt: Date = start): PlanState {
  const reviewDueAt = template.recurring[0] ? addDays(start, template.recurring[0].everyDays) : null;
  const base = { pathway: template.id, pathwayVersion: template.version, stableContacts: 0, lastContactAt: null, reviewDueAt };
  if (template.schedule.kind === 'anchored') {
    let level = 0;
    while (anchoredDueAt(template, anchorAt, level).getTime() <= start.getTime()) level++;
    return anchoredStep(template, { ...base, tier: 'medium', level, anchorAt }, level);
  }
  const level = template.schedule.startLevel;
  const { tier, intervalDays } = template.schedule.levels[level];
  return { ...base, tier, level, intervalDays, anchorAt: start, nextDueAt: addDays(start, intervalDays) };
}

export type ChangeKind = 'step_up' | 'step_down' | 'interim_contact';

/** A change the assessment proposes to the clinician, with its reasons. */
export interface Proposal {
  kind: ChangeKind;
  toLevel: number;
  toTier: RiskTier;
  toIntervalDays: number;
  reason: string;
}

/**
 * What the day's judgement proposes, or null. Ladder: unstable data propose the most frequent level at once;
 * stable data propose the next level down after its number of consecutive stable contacts. Anchored: unstable
 * data propose an interim contact within `interimContactDays` when the next one is later than that.
 */
export function proposeChange(template: PathwayTemplate, plan: PlanState, judgement: Judgement, now: Date): Proposal | null {
  const schedule = template.schedule;
  if (schedule.kind === 'anchored') {
    if (judgement.state !== 'unstable' || plan.nextDueAt.getTime() <= addDays(now, schedule.interimContactDays).getTime()) return null;
    return {
      kind: 'interim_contact',
      toLevel: plan.level,
      toTier: 'high',
      toIntervalDays: schedule.interimContactDays,
      reason: `interim contact within ${schedule.interimContactDays} days: ${judgement.reasons.join('; ')}`,
    };
  }
  const top = schedule.levels[0];
  if (judgement.state === 'unstable') {
    if (plan.level === 0 && plan.intervalDays <= top.intervalDays) return null;
    return {
      kind: 'step_up',
      toLevel: 0,
      toTier: top.tier,
      toIntervalDays: top.intervalDays,
      reason: `${top.label} (every ${top.intervalDays} days): ${judgement.reasons.join('; ')}`,
    };
  }
  const below = schedule.levels[plan.level + 1];
  if (judgement.state !== 'stable' || !below || plan.stableContacts < below.stableContactsToReach) return null;
  return {
    kind: 'step_down',
    toLevel: plan.level + 1,
    toTier: below.tier,
    toIntervalDays: below.intervalDays,
    reason: `${below.label} (every ${below.intervalDays} days) after ${plan.stableContacts} stable contacts: ${judgement.reasons.join('; ')}`,
  };
}

/**
 * A confirmed proposal applied. A step up or an interim contact brings the next contact forward (never
 * later); a step down counts the new interval from the last contact.
 */
export function applyChange(plan: PlanState, proposal: Proposal, now: Date): PlanState {
  if (proposal.kind === 'interim_contact') {
    return { ...plan, tier: proposal.toTier, nextDueAt: new Date(Math.min(plan.nextDueAt.getTime(), addDays(now, proposal.toIntervalDays).getTime())) };
  }
  const next = { ...plan, tier: proposal.toTier, level: proposal.toLevel, intervalDays: proposal.toIntervalDays, stableContacts: 0 };
  if (proposal.kind === 'step_up') {
    return { ...next, nextDueAt: new Date(Math.min(plan.nextDueAt.getTime(), addDays(now, proposal.toIntervalDays).getTime())) };
  }
  return { ...next, nextDueAt: addDays(plan.lastContactAt ?? plan.anchorAt, proposal.toIntervalDays) };
}

/** A clinician's own interval and/or due date, at any time: the interval counts from today unless a date is given. */
export function clinicianSet(plan: PlanState, change: { intervalDays?: number; nextDueAt?: Date }, now: Date): PlanState {
  const intervalDays = change.intervalDays ?? plan.intervalDays;
  return { ...plan, intervalDays, stableContacts: 0, nextDueAt: change.nextDueAt ?? addDays(now, intervalDays) };
}

export interface Contact {
  at: Date;
  /** The recurring comprehensive review was done at this contact. */
  comprehensive?: boolean;
}

/**
 * A contact completes the due follow-up; the next due date comes from it. Ladder: contact + interval, and
 * the stable-contact count follows the latest judgement. Anchored: the step due is completed when the contact
 * falls within its window (from a quarter of the gap since the previous step, at least 2 days, before its date); the next due
 * date is the next step's anchored date, so late or early contacts never shift the schedule. An earlier
 * (interim) contact leaves the step due.
 */
export function recordContact(template: PathwayTemplate, plan: PlanState, contact: Contact, latest: DataState): PlanState {
  const recurring = template.recurring[0];
  const reviewDueAt = recurring && contact.comprehensive ? addDays(contact.at, recurring.everyDays) : plan.reviewDueAt;
  const stableContacts = latest === 'stable' ? plan.stableContacts + 1 : latest === 'unstable' ? 0 : plan.stableContacts;
  const base = { ...plan, lastContactAt: contact.at, reviewDueAt, stableContacts };
  if (template.schedule.kind !== 'anchored') return { ...base, nextDueAt: addDays(contact.at, plan.intervalDays) };
  const stepAt = anchoredDueAt(template, plan.anchorAt, plan.level);
  const previousAt = anchoredDueAt(template, plan.anchorAt, plan.level - 1);
  const windowDays = Math.max(2, Math.floor(daysBetween(previousAt, stepAt) / 4));
  if (contact.at.getTime() < addDays(stepAt, -windowDays).getTime()) return { ...base, nextDueAt: stepAt, tier: 'medium' };
  let level = plan.level + 1;
  // A contact so late that later steps have passed too completes them: the next due date is still ahead.
  while (anchoredDueAt(template, plan.anchorAt, level).getTime() <= addDays(contact.at, 1).getTime()) level++;
  return anchoredStep(template, { ...base, tier: 'medium' }, level);
}

export type FollowUpStatus = 'scheduled' | 'overdue' | 'missed' | 'lost_to_follow_up';

export interface LossMargins {
  /** Days past due at which a contact counts as missed (Simple.org: 3 months). */
  missedAfterDays: number;
  /** Days without any contact, while overdue, at which the patient is lost to follow-up (Simple.org: 12 months). */
  lostAfterDays: number;
}
export const DEFAULT_LOSS_MARGINS: LossMargins = { missedAfterDays: 90, lostAfterDays: 365 };

/** Where the plan stands at `now`; only a contact (which moves the due date) brings it back to scheduled. */
export function followUpStatus(
  plan: { nextDueAt: Date; lastContactAt: Date | null; enrolledAt: Date },
  now: Date,
  margins: LossMargins = DEFAULT_LOSS_MARGINS,
): FollowUpStatus {
  const overdueDays = (now.getTime() - plan.nextDueAt.getTime()) / DAY;
  if (overdueDays <= 0) return 'scheduled';
  const sinceContact = (now.getTime() - (plan.lastContactAt ?? plan.enrolledAt).getTime()) / DAY;
  if (sinceContact >= margins.lostAfterDays) return 'lost_to_follow_up';
  if (overdueDays >= margins.missedAfterDays) return 'missed';
  return 'overdue';
}

export type ReminderKind = 'due_in_7_days' | 'due_in_3_days' | 'due_today';
const REMINDERS: [ReminderKind, number][] = [
  ['due_today', 0],
  ['due_in_3_days', 3],
  ['due_in_7_days', 7],
];
const utcDay = (at: Date) => Math.floor(at.getTime() / DAY);

/**
 * The reminder to send now for a contact due at `nextDueAt`, or null: 7 days, 3 days and on the day (UTC
 * calendar days). Only the latest window reached is sent; one skipped while the job was down is not sent
 * late, and nothing is sent for a contact whose day has passed.
 */
export function reminderDue(nextDueAt: Date, now: Date, alreadySent: readonly ReminderKind[]): ReminderKind | null {
  const daysBefore = utcDay(nextDueAt) - utcDay(now);
  if (daysBefore < 0) return null;
  const window = REMINDERS.find(([, days]) => daysBefore <= days);
  if (!window || alreadySent.includes(window[0])) return null;
  return window[0];
}

/**
 * Whether a patient's one-action link (confirm, reschedule) for the contact due at `linkDueAt` still has a
 * contact to act on: the plan's due date is still that one (a recorded contact, or a clinician's change, moves
 * it) and its UTC day, the day of the last reminder, has not passed. Otherwise the contact has taken place or
 * passed and the answer is refused: recording it would put a stale request on the nurse worklist.
 */
export function patientLinkDueOpen(linkDueAt: Date, planDueAt: Date | null, now: Date): boolean {
  if (!planDueAt || planDueAt.getTime() !== linkDueAt.getTime()) return false;
  return utcDay(now) <= utcDay(linkDueAt);
}
