import { metricSchema } from '@rpm/contracts';
import { z } from 'zod';

/**
 * Alert rules are data: each kind has a schema, and a pure evaluator (evaluate-rules.ts) reads facts and
 * returns outcomes. Nothing here evaluates an expression string.
 */
export const severitySchema = z.enum(['info', 'warning', 'urgent']);
export type Severity = z.infer<typeof severitySchema>;

/** A limit as the published pair for each unit (70 mg/dL and 3.9 mmol/L), not one converted from the other. */
const perUnit = z.record(z.string(), z.number());

const ruleBase = {
  id: z.string().regex(/^[a-z0-9_.]+$/),
  version: z.number().int().positive(),
  severity: severitySchema,
  title: z.string(),
  source: z.string().describe('The clinical reference behind the numbers.'),
  /** Rules of one group are tiers of one condition: only the most severe firing tier is reported. */
  group: z.string().optional(),
  /** Local time-of-day window ("22:00"-"06:00" spans midnight) in which the rule applies. */
  activeWindow: z.object({ from: z.string().regex(/^\d\d:\d\d$/), to: z.string().regex(/^\d\d:\d\d$/) }).optional(),
};

export const thresholdRuleSchema = z.object({
  ...ruleBase,
  kind: z.literal('threshold'),
  metric: metricSchema,
  field: z.string(),
  comparator: z.enum(['below', 'at_most', 'above', 'at_least']),
  threshold: perUnit,
  /** Hysteresis: the episode clears only once a reading is this far back on the safe side. */
  clearMargin: perUnit,
  minConsecutive: z.number().int().positive().default(1),
  minDurationMinutes: z.number().min(0).default(0),
});

export const rateOfChangeRuleSchema = z.object({
  ...ruleBase,
  kind: z.literal('rate_of_change'),
  metric: z.literal('glucose'),
  direction: z.enum(['falling', 'rising']),
  /** mg/dL per minute, as a magnitude. */
  ratePerMinute: z.number().positive(),
  /** How many consecutive intervals must show the rate. */
  minConsecutive: z.number().int().positive(),
  /** Only while the latest value is below (falling) or above (rising) this level, in mg/dL. */
  gateMgDl: z.number().positive().optional(),
  maxGapMinutes: z.number().positive().default(15),
});

export const rollingMeanRuleSchema = z.object({
  ...ruleBase,
  kind: z.literal('rolling_mean'),
  metric: z.literal('blood_pressure'),
  windowDays: z.number().positive(),
  /** Fires when the mean of any field reaches its limit (mmHg). */
  limits: z.record(z.string(), z.number()),
  clearMargin: z.number().min(0),
  minReadings: z.number().int().positive(),
  /** Home BP protocols discard the first day of a series (ESH; Hypertension Canada). */
  discardFirstDay: z.boolean().default(true),
});

export const glucoseWindowRuleSchema = z.object({
  ...ruleBase,
  kind: z.literal('glucose_window'),
  metric: z.literal('glucose'),
  statistic: z.enum(['cv', 'tir', 'tbr70', 'tbr54', 'tar180', 'tar250']),
  comparator: z.enum(['below', 'above']),
  percent: z.number(),
  windowDays: z.number().positive(),
  /** CGM data sufficiency: the share of the window the readings cover, each at its sensor's own interval (>= 70% over 14 days). */
  minCoveragePercent: z.number().min(0).max(100),
});

export const predictedLowRuleSchema = z.object({
  ...ruleBase,
  kind: z.literal('predicted_low'),
  metric: z.literal('glucose'),
  horizonMinutes: z.number().positive(),
  thresholdMgDl: z.number().positive(),
  clearMarginMgDl: z.number().min(0),
});

export const missingDataRuleSchema = z.object({
  ...ruleBase,
  kind: z.literal('missing_data'),
  metric: metricSchema,
  /** Only readings from this kind of source (a CGM going quiet is not a finger-stick meter going quiet). */
  readingSource: z.string().optional(),
  afterMinutes: z.number().positive(),
});

export const ruleDefinitionSchema = z.discriminatedUnion('kind', [
  thresholdRuleSchema,
  rateOfChangeRuleSchema,
  rollingMeanRuleSchema,
  glucoseWindowRuleSchema,
  predictedLowRuleSchema,
  missingDataRuleSchema,
]);

export type RuleDefinition = z.infer<typeof ruleDefinitionSchema>;
export type ThresholdRule = z.infer<typeof thresholdRuleSchema>;
export type RateOfChangeRule = z.infer<typeof rateOfChangeRuleSchema>;
export type RollingMeanRule = z.infer<typeof rollingMeanRuleSchema>;
export type GlucoseWindowRule = z.infer<typeof glucoseWindowRuleSchema>;
export type PredictedLowRule = z.infer<typeof predictedLowRuleSchema>;
export type MissingDataRule = z.infer<typeof missingDataRuleSchema>;
