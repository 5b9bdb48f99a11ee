/**
 * Adaptive follow-up, as pure functions. Sources (CLINICAL.md): ADA 6.2 (review every 3 months when not at
 * goal, 6 at goal; the seed programme contacts weekly while glucose swings, monthly once stable);
 * 2017 ACC/AHA and HyperLink (JAMA 2013: every 2 weeks until controlled, then monthly, then every 2 months);
 * post-surgery step-down 1 week, 1 month, 3, 6, 12 months (an institutional convention, configurable).
 */
export type Pathway = 'diabetes' | 'hypertension' | 'post_surgery';
export type RiskTier = 'high' | 'medium' | 'low';

export interface PathwayDefinition {
  /** Contact interval per risk tier, in days. */
  intervalDays: Record<RiskTier, number>;
  /** Fixed step-down schedule (post-surgery), in days after discharge; replaces tier intervals when set. */
  steps?: number[];
  /** Consecutive stable reviews needed before stepping down. */
  stableReviewsToStepDown: number;
}

export const PATHWAYS: Record<Pathway, PathwayDefinition> = {
  diabetes: { intervalDays: { high: 7, medium: 30, low: 90 }, stableReviewsToStepDown: 2 },
  hypertension: { intervalDays: { high: 14, medium: 30, low: 60 }, stableReviewsToStepDown: 2 },
  post_surgery: { intervalDays: { high: 7, medium: 30, low: 90 }, steps: [7, 30, 90, 180, 365], stableReviewsToStepDown: 1 },
};

/** Values are exact: the tier is decided on them, and they are rounded only in the reasons shown. */
const shown = (value: number) => Math.round(value * 10) / 10;

/** What the data say about a patient over the last 30 days. */
export interface Assessment {
  urgentAlerts: number;
  warningAlerts: number;
  /** Days with at least one automatically uploaded reading, of 30 (US RPM counts 16 as full adherence). */
  daysWithData: number;
  /** CGM time in range 70-180, %, when measured. */
  timeInRangePercent?: number;
  /** CGM time below 54, %, when measured. */
  timeBelow54Percent?: number;
  /** 7-day home BP mean, mmHg, when measured. */
  homeBp?: { systolic: number; diastolic: number };
}

export interface TierDecision {
  tier: RiskTier;
  reasons: string[];
}

/** Risk tier from control metrics, alert load and adherence; each reason is a sentence for the clinician. */
export function riskTier(assessment: Assessment): TierDecision {
  const high: string[] = [];
  const medium: string[] = [];
  if (assessment.urgentAlerts > 0) high.push(`${assessment.urgentAlerts} urgent alert(s) in 30 days`);
  if (assessment.timeBelow54Percent !== undefined && assessment.timeBelow54Percent > 1)
    high.push(`time below 54 mg/dL ${shown(assessment.timeBelow54Percent)}% (target < 1%)`);
  if (assessment.timeInRangePercent !== undefined && assessment.timeInRangePercent < 50)
    high.push(`time in range ${shown(assessment.timeInRangePercent)}% (< 50%)`);
  else if (assessment.timeInRangePercent !== undefined && assessment.timeInRangePercent < 70)
    medium.push(`time in range ${shown(assessment.timeInRangePercent)}% (target > 70%)`);
  const bp = assessment.homeBp && `${shown(assessment.homeBp.systolic)}/${shown(assessment.homeBp.diastolic)}`;
  if (assessment.homeBp && (assessment.homeBp.systolic >= 150 || assessment.homeBp.diastolic >= 95)) {
    high.push(`home BP mean ${bp} mmHg (>= 150/95)`);
  } else if (assessment.homeBp && (assessment.homeBp.systolic >= 135 || assessment.homeBp.diastolic >= 85)) {
    medium.push(`home BP mean ${bp} mmHg (target < 135/85)`);
  }
  if (assessment.warningAlerts >= 3) medium.push(`${assessment.warningAlerts} warnings in 30 days`);
  if (assessment.daysWithData < 16) medium.push(`readings on ${assessment.daysWithData} of 30 days (< 16)`);
  if (high.length) return { tier: 'high', reasons: high };
  if (medium.length) return { tier: 'medium', reasons: medium };
  return { tier: 'low', reasons: ['at target, with readings on most days and no urgent alerts'] };
}

export interface PlanState {
  pathway: Pathway;
  tier: RiskTier;
  intervalDays: number;
  /** Post-surgery: index into the step-down schedule. */
  step: number;
  stableReviews: number;
  nextDueAt: Date;
}

export interface PlanChange {
  kind: 'step_up' | 'step_down' | 'hold';
  next: PlanState;
  reason: string;
}

const RANK: Record<RiskTier, number> = { low: 0, medium: 1, high: 2 };
const addDays = (at: Date, days: number) => new Date(at.getTime() + days * 86_400_000);

export function initialPlan(pathway: Pathway, start: Date): PlanState {
  const definition = PATHWAYS[pathway];
  const intervalDays = definition.steps ? definition.steps[0] : definition.intervalDays.medium;
  return { pathway, tier: 'medium', intervalDays, step: 0, stableReviews: 0, nextDueAt: addDays(start, intervalDays) };
}

/**
 * The change a review proposes. A worse tier steps up at once, and the next contact moves earlier if the
 * new interval says so; a better tier steps down only after enough consecutive stable reviews. A
 * clinician confirms or overrides every change.
 */
export function reviewPlan(plan: PlanState, decision: TierDecision, now: Date): PlanChange {
  const definition = PATHWAYS[plan.pathway];
  if (RANK[decision.tier] > RANK[plan.tier] || (decision.tier === 'high' && plan.intervalDays > definition.intervalDays.high)) {
    const intervalDays = Math.min(plan.intervalDays, definition.intervalDays[decision.tier]);
    const nextDueAt = new Date(Math.min(plan.nextDueAt.getTime(), addDays(now, intervalDays).getTime()));
    return {
      kind: 'step_up',
      next: { ...plan, tier: decision.tier, intervalDays, stableReviews: 0, nextDueAt },
      reason: `step up to every ${intervalDays} days: ${decision.reasons.join('; ')}`,
    };
  }
  // A review counts towards stepping down when it is better than the plan's tier (or, on a step-down
  // pathway, simply low); one that is not starts the count again.
  const improving = RANK[decision.tier] < RANK[plan.tier] || (definition.steps !== undefined && decision.tier === 'low');
  const stableReviews = improving ? plan.stableReviews + 1 : 0;
  if (stableReviews < definition.stableReviewsToStepDown) {
    return {
      kind: 'hold',
      next: { ...plan, stableReviews, nextDueAt: addDays(now, plan.intervalDays) },
      reason: `keep every ${plan.intervalDays} days (${stableReviews} stable review(s))`,
    };
  }
  if (definition.steps) {
    const step = Math.min(plan.step + 1, definition.steps.length - 1);
    const intervalDays = definition.steps[step];
    if (step === plan.step && intervalDays === plan.intervalDays) {
      return {
        kind: 'hold',
        next: { ...plan, stableReviews: 0, nextDueAt: addDays(now, intervalDays) },
        reason: `at the last step: every ${intervalDays} days`,
      };
    }
    return {
      kind: 'step_down',
      next: { ...plan, tier: decision.tier, step, intervalDays, stableReviews: 0, nextDueAt: addDays(now, intervalDays) },
      reason: `step down to the next post-surgery contact in ${intervalDays} days: ${decision.reasons.join('; ')}`,
    };
  }
  const intervalDays = Math.max(plan.intervalDays, definition.intervalDays[decision.tier]);
  if (intervalDays === plan.intervalDays) {
    return {
      kind: 'hold',
      next: { ...plan, tier: decision.tier, stableReviews, nextDueAt: addDays(now, intervalDays) },
      reason: `keep every ${intervalDays} days`,
    };
  }
  return {
    kind: 'step_down',
    next: { ...plan, tier: decision.tier, intervalDays, stableReviews: 0, nextDueAt: addDays(now, intervalDays) },
    reason: `step down to every ${intervalDays} days after ${stableReviews} stable reviews: ${decision.reasons.join('; ')}`,
  };
}

export type ReminderKind = 'due_in_7_days' | 'due_in_3_days' | 'due_today';
const REMINDERS: [ReminderKind, number][] = [
  ['due_in_7_days', 7],
  ['due_in_3_days', 3],
  ['due_today', 0],
];

/** Reminders 7 days, 3 days and on the day a follow-up is due: those due by `now` and not yet sent. */
export function remindersDue(nextDueAt: Date, now: Date, alreadySent: readonly ReminderKind[]): ReminderKind[] {
  return REMINDERS.filter(([kind, daysBefore]) => !alreadySent.includes(kind) && now.getTime() >= nextDueAt.getTime() - daysBefore * 86_400_000).map(
    ([kind]) => kind,
  );
}

export type FollowUpStatus = 'scheduled' | 'overdue' | 'missed' | 'lost_to_follow_up';

/** Simple.org's convention: a visit 3 months overdue is missed; no visit for 12 months is lost to follow-up. */
export function followUpStatus(nextDueAt: Date, lastVisitAt: Date | null, now: Date, enrolledAt: Date): FollowUpStatus {
  const sinceContact = (now.getTime() - (lastVisitAt ?? enrolledAt).getTime()) / 86_400_000;
  if (sinceContact >= 365) return 'lost_to_follow_up';
  const overdueDays = (now.getTime() - nextDueAt.getTime()) / 86_400_000;
  if (overdueDays >= 90) return 'missed';
  if (overdueDays > 0) return 'overdue';
  return 'scheduled';
}
