import type { Metric } from '@rpm/contracts';
import { evaluateGlucoseWindow } from './glucose-window.evaluator';
import { evaluateMissingData } from './missing-data.evaluator';
import { evaluatePredictedLow } from './predicted-low.evaluator';
import { evaluateRateOfChange } from './rate-of-change.evaluator';
import { evaluateRollingMean } from './rolling-mean.evaluator';
import { countsFor, renderTitle, ruleDefinitionSchema, type RuleDefinition, type Severity } from './rule-definition.schema';
import { undetermined, type Evaluation, type RuleFacts } from './rule-outcome';
import { evaluateThreshold } from './threshold.evaluator';

export interface RuleOutcome extends Evaluation {
  rule: RuleDefinition;
}

/** A clinician's change to one rule for one patient: new parameters under a new version, or off. */
export interface RuleOverride {
  ruleId: string;
  version: number;
  disabled?: boolean;
  params?: Record<string, unknown>;
  /** When the care team last changed it: the rule's effectiveFrom. */
  since?: string;
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, urgent: 2 };

/** How much history, in minutes, a rule looks at. */
export function historyMinutes(rule: RuleDefinition): number {
  switch (rule.kind) {
    case 'threshold':
      return Math.max(rule.minDurationMinutes * 2, 180);
    case 'rate_of_change':
      return rule.maxGapMinutes * (rule.minConsecutive + 1);
    case 'predicted_low':
      return 30;
    case 'rolling_mean':
    case 'glucose_window':
      return rule.windowDays * 1440;
    case 'missing_data':
      return rule.afterMinutes * 4 + 1440;
  }
}

/**
 * Readings trigger the rules about what was just measured; the clock triggers the rules about what was
 * not (missing data) and the slow window statistics.
 */
export const isScheduledRule = (rule: RuleDefinition): boolean => rule.kind === 'missing_data' || rule.kind === 'glucose_window';

/**
 * Programme defaults with a patient's overrides applied; an invalid override is reported, never half-applied.
 * The title is rendered again from the parameters in force (a title the override sets replaces the template).
 */
export function effectiveRules(defaults: readonly RuleDefinition[], overrides: readonly RuleOverride[]): RuleDefinition[] {
  const byRule = new Map(overrides.map((override) => [override.ruleId, override]));
  return defaults.flatMap((rule) => {
    const override = byRule.get(rule.id);
    if (!override) return [rule];
    if (override.disabled) return [];
    const params = override.params ?? {};
    const ownTitle = params.title !== undefined && params.titleTemplate === undefined;
    const merged = { ...rule, ...(ownTitle && { titleTemplate: undefined }), ...params, id: rule.id, kind: rule.kind, version: override.version };
    return [renderTitle(ruleDefinitionSchema.parse({ ...merged, effectiveFrom: override.since }))];
  });
}

function localMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const value = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  return value('hour') * 60 + value('minute');
}

/** Whether a rule applies at `at` (its time-of-day window, if any, in the patient's time zone). */
export function ruleActiveAt(rule: RuleDefinition, at: Date, timeZone: string): boolean {
  return !rule.activeWindow || inWindow(rule.activeWindow, at, timeZone);
}

function inWindow(window: { from: string; to: string }, at: Date, timeZone: string): boolean {
  const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  const [from, to, now] = [toMinutes(window.from), toMinutes(window.to), localMinutes(at, timeZone)];
  return from <= to ? now >= from && now < to : now >= from || now < to;
}

function evaluateOne(rule: RuleDefinition, facts: RuleFacts): Evaluation {
  const readings = facts.readings.filter((reading) => reading.metric === rule.metric && countsFor(rule, reading.measuredAt));
  if (!ruleActiveAt(rule, facts.now, facts.timeZone)) return undetermined();
  switch (rule.kind) {
    case 'threshold':
      return evaluateThreshold(rule, readings);
    case 'rate_of_change':
      return evaluateRateOfChange(rule, readings);
    case 'rolling_mean':
      return evaluateRollingMean(rule, readings, facts.now, facts.timeZone);
    case 'glucose_window':
      return evaluateGlucoseWindow(rule, readings, facts.now);
    case 'predicted_low':
      return evaluatePredictedLow(rule, readings);
    case 'missing_data':
      return evaluateMissingData(rule, readings, facts.now, facts.timeZone);
  }
}

/**
 * Evaluates each rule over the facts. Within a group of tiers (level 1 and level 2 hypoglycaemia) only
 * the most severe firing tier fires; the others are undetermined, so they neither open nor close.
 */
export function evaluateRules(rules: readonly RuleDefinition[], facts: RuleFacts): RuleOutcome[] {
  return rankTiers(rules.map((rule) => ({ rule, ...evaluateOne(rule, facts) })));
}

/** Within each group of tiers only the most severe firing tier fires; the outranked tiers become undetermined. */
export function rankTiers(outcomes: RuleOutcome[]): RuleOutcome[] {
  const topTier = new Map<string, number>();
  for (const outcome of outcomes) {
    if (outcome.state !== 'firing' || !outcome.rule.group) continue;
    topTier.set(outcome.rule.group, Math.max(topTier.get(outcome.rule.group) ?? -1, SEVERITY_RANK[outcome.rule.severity]));
  }
  return outcomes.map((outcome) => {
    const top = outcome.rule.group ? topTier.get(outcome.rule.group) : undefined;
    const outranked = outcome.state === 'firing' && top !== undefined && SEVERITY_RANK[outcome.rule.severity] < top;
    return outranked ? { rule: outcome.rule, ...undetermined() } : outcome;
  });
}

export const metricsOf = (rules: readonly RuleDefinition[]): Metric[] => [...new Set(rules.map((rule) => rule.metric))];
