import { metricSchema, type Metric } from '@rpm/contracts';
import { z } from 'zod';
import { MG_DL_PER_MMOL_L } from '../units';

/**
 * Alert rules are data: each kind has a schema, and a pure evaluator (evaluate-rules.ts) reads facts and
 * returns outcomes. Nothing here evaluates an expression string.
 */
export const severitySchema = z.enum(['info', 'warning', 'urgent']);
export type Severity = z.infer<typeof severitySchema>;

/** A limit as the published pair for each unit (70 mg/dL and 3.9 mmol/L), not one converted from the other. */
const perUnit = z.record(z.string(), z.number());

const mmolL = (mgDl: number) => Math.round((mgDl / MG_DL_PER_MMOL_L) * 10) / 10;
/**
 * The physiological range a rule's limit on a measured value must lie in, per metric, field and unit: a
 * limit outside it is a typing error (a threshold of -5 mg/dL), never a clinical choice. Ranges from the
 * brief of issue 12 (docs/alert-rules.md "Limits a care team may set"); mmol/L from mg/dL at 18.0156.
 */
export const PHYSIOLOGICAL_RANGES: Readonly<Record<Metric, Readonly<Record<string, Readonly<Record<string, readonly [number, number]>>>>>> = {
  glucose: { value: { 'mg/dL': [20, 600], 'mmol/L': [mmolL(20), mmolL(600)] } },
  blood_pressure: { systolic: { mmHg: [50, 300] }, diastolic: { mmHg: [30, 200] } },
  heart_rate: { value: { bpm: [20, 250] } },
  spo2: { value: { '%': [50, 100] } },
  steps: { value: { steps: [0, 100_000] } },
};
/** Rate of change and forecasts are in mg/dL. */
const GLUCOSE_MG_DL = PHYSIOLOGICAL_RANGES.glucose.value['mg/dL'];
const BP_MMHG = PHYSIOLOGICAL_RANGES.blood_pressure;

/** An issue when `value` lies outside [min, max], naming the range and the unit. */
function checkRange(ctx: z.RefinementCtx, path: (string | number)[], value: number, range: readonly [number, number], what: string, unit: string): void {
  if (value >= range[0] && value <= range[1]) return;
  ctx.addIssue({ code: 'custom', path, message: `${what} must be from ${range[0]} to ${range[1]} ${unit}, not ${value}` });
}

const percent = z.number().min(0, 'a percentage must be from 0 to 100').max(100, 'a percentage must be from 0 to 100');
const positiveMinutes = z.number().positive('a duration must be more than 0');

const ruleBase = {
  id: z.string().regex(/^[a-z0-9_.]+$/),
  version: z.number().int().positive(),
  severity: severitySchema,
  title: z.string(),
  source: z.string().describe('The clinical reference behind the numbers.'),
  /** Rules of one group are tiers of one condition: only the most severe firing tier is reported. */
  group: z.string().optional(),
  /**
   * The condition the rule describes (its id when absent): a patient has at most one live alert per episode,
   * which a more severe rule of the episode raises. An episode's rules share a metric and a trigger (reading or clock).
   */
  episode: z
    .string()
    .regex(/^[a-z0-9_.-]+$/)
    .optional(),
  /** Local time-of-day window ("22:00"-"06:00" spans midnight) in which the rule applies. */
  activeWindow: z.object({ from: z.string().regex(/^\d\d:\d\d$/), to: z.string().regex(/^\d\d:\d\d$/) }).optional(),
  /**
   * The title with `{field}` placeholders for the rule's own numbers ("twice above {threshold}"): `title` is
   * rendered from it (renderTitle) whenever the rule is built, so a title never cites a number no longer in force.
   */
  titleTemplate: z.string().optional(),
  /**
   * When the rule came into force as it is (the care team's last change, disabling or enabling of it):
   * readings measured before it count for nothing towards its runs (RESET_ON_CHANGE kinds).
   */
  effectiveFrom: z.iso.datetime({ offset: true }).optional(),
};

export const thresholdRuleSchema = z
  .object({
    ...ruleBase,
    kind: z.literal('threshold'),
    metric: metricSchema,
    field: z.string(),
    comparator: z.enum(['below', 'at_most', 'above', 'at_least']),
    threshold: perUnit,
    /** Hysteresis: the episode clears only once a reading is this far back on the safe side. */
    clearMargin: perUnit,
    minConsecutive: z.number().int().positive().default(1),
    minDurationMinutes: z.number().min(0, 'a duration cannot be negative').default(0),
  })
  .superRefine((rule, ctx) => {
    const ranges = PHYSIOLOGICAL_RANGES[rule.metric][rule.field];
    if (!ranges) {
      ctx.addIssue({
        code: 'custom',
        path: ['field'],
        message: `${rule.metric} has no field ${rule.field} (${Object.keys(PHYSIOLOGICAL_RANGES[rule.metric]).join(', ')})`,
      });
      return;
    }
    const units = Object.keys(ranges);
    if (Object.keys(rule.threshold).length === 0)
      ctx.addIssue({ code: 'custom', path: ['threshold'], message: `a threshold needs a limit in ${units.join(' or ')}` });
    for (const [unit, value] of Object.entries(rule.threshold)) {
      const range = ranges[unit];
      if (!range) ctx.addIssue({ code: 'custom', path: ['threshold', unit], message: `${rule.metric} limits are in ${units.join(' or ')}, not ${unit}` });
      else checkRange(ctx, ['threshold', unit], value, range, `${rule.metric} ${rule.field} threshold`, unit);
    }
    for (const [unit, value] of Object.entries(rule.clearMargin)) {
      const range = ranges[unit];
      if (!range) ctx.addIssue({ code: 'custom', path: ['clearMargin', unit], message: `${rule.metric} margins are in ${units.join(' or ')}, not ${unit}` });
      else checkRange(ctx, ['clearMargin', unit], value, [0, range[1] - range[0]], 'a clear margin', unit);
    }
  });

export const rateOfChangeRuleSchema = z
  .object({
    ...ruleBase,
    kind: z.literal('rate_of_change'),
    metric: z.literal('glucose'),
    direction: z.enum(['falling', 'rising']),
    /** mg/dL per minute, as a magnitude. */
    ratePerMinute: z.number().positive('a rate must be more than 0'),
    /** How many consecutive intervals must show the rate. */
    minConsecutive: z.number().int().positive(),
    /** Only while the latest value is below (falling) or above (rising) this level, in mg/dL. */
    gateMgDl: z.number().optional(),
    maxGapMinutes: positiveMinutes.default(15),
  })
  .superRefine((rule, ctx) => {
    if (rule.gateMgDl !== undefined) checkRange(ctx, ['gateMgDl'], rule.gateMgDl, GLUCOSE_MG_DL, 'the glucose gate', 'mg/dL');
  });

export const rollingMeanRuleSchema = z
  .object({
    ...ruleBase,
    kind: z.literal('rolling_mean'),
    metric: z.literal('blood_pressure'),
    windowDays: z.number().positive('a window must be more than 0 days'),
    /** Fires when the mean of any field reaches its limit (mmHg). */
    limits: z.record(z.string(), z.number()),
    clearMargin: z.number().min(0, 'a clear margin cannot be negative'),
    minReadings: z.number().int().positive(),
    /** Home BP protocols discard the first day of a series (ESH; Hypertension Canada). */
    discardFirstDay: z.boolean().default(true),
  })
  .superRefine((rule, ctx) => {
    if (Object.keys(rule.limits).length === 0) ctx.addIssue({ code: 'custom', path: ['limits'], message: 'limits need systolic or diastolic' });
    for (const [field, value] of Object.entries(rule.limits)) {
      const range = field === 'systolic' || field === 'diastolic' ? BP_MMHG[field].mmHg : undefined;
      if (!range) ctx.addIssue({ code: 'custom', path: ['limits', field], message: `blood pressure limits are on systolic or diastolic, not ${field}` });
      else checkRange(ctx, ['limits', field], value, range, `the ${field} limit`, 'mmHg');
    }
  });

export const glucoseWindowRuleSchema = z.object({
  ...ruleBase,
  kind: z.literal('glucose_window'),
  metric: z.literal('glucose'),
  statistic: z.enum(['cv', 'tir', 'tbr70', 'tbr54', 'tar180', 'tar250']),
  /** The consensus states its targets strictly or not (TIR > 70 %, TBR < 4 %, CV <= 36 %): a rule fires where the target is not met. */
  comparator: z.enum(['below', 'at_most', 'above', 'at_least']),
  percent,
  windowDays: z.number().positive('a window must be more than 0 days'),
  /** CGM data sufficiency: the share of the window the readings cover, each at its sensor's own interval (>= 70% over 14 days). */
  minCoveragePercent: percent,
});

export const predictedLowRuleSchema = z
  .object({
    ...ruleBase,
    kind: z.literal('predicted_low'),
    metric: z.literal('glucose'),
    horizonMinutes: positiveMinutes,
    thresholdMgDl: z.number(),
    clearMarginMgDl: z.number().min(0, 'a clear margin cannot be negative'),
  })
  .superRefine((rule, ctx) => {
    checkRange(ctx, ['thresholdMgDl'], rule.thresholdMgDl, GLUCOSE_MG_DL, 'the forecast threshold', 'mg/dL');
  });

export const missingDataRuleSchema = z.object({
  ...ruleBase,
  kind: z.literal('missing_data'),
  metric: metricSchema,
  /** Only readings from this kind of source (a CGM going quiet is not a finger-stick meter going quiet). */
  readingSource: z.string().optional(),
  afterMinutes: positiveMinutes,
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

/** The fields a rule of `kind` has (what an override's params may name). */
export function ruleFields(kind: RuleDefinition['kind']): string[] {
  const schema = ruleDefinitionSchema.options.find((option) => option.shape.kind.value === kind);
  return schema ? Object.keys(schema.shape) : [];
}

/**
 * Kinds whose state is a run of recent readings: a change of the rule (new parameters, disabled, enabled
 * again) starts the run afresh at effectiveFrom. Window statistics (7-day home BP mean, 14-day CGM metrics)
 * describe the patient's last days whatever the rule was, and missing data is about readings that did not come.
 */
const RESET_ON_CHANGE: ReadonlySet<RuleDefinition['kind']> = new Set(['threshold', 'rate_of_change', 'predicted_low']);

/** Whether a reading counts towards the rule's episodes: not when measured before the rule came into force as it is. */
export const countsFor = (rule: RuleDefinition, measuredAt: string): boolean =>
  !rule.effectiveFrom || !RESET_ON_CHANGE.has(rule.kind) || Date.parse(measuredAt) >= Date.parse(rule.effectiveFrom);

const TIMES: Record<number, string> = { 1: 'once', 2: 'twice' };

/** `{field}` as the rule has it: a number, a per-unit limit ("250 mg/dL"), or with `|times` a count ("twice"). */
function placeholder(rule: RuleDefinition, field: string, format: string | undefined): string | undefined {
  const value = (rule as Record<string, unknown>)[field];
  const number = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
  if (typeof value === 'number') return format === 'times' ? (TIMES[value] ?? `${value} times`) : number(value);
  if (value && typeof value === 'object') {
    const [first] = Object.entries(value as Record<string, number>);
    if (first) return first[0] === '%' ? `${number(first[1])}%` : `${number(first[1])} ${first[0]}`;
  }
  return undefined;
}

/** The rule with its title rendered from its titleTemplate, if it has one (placeholders it cannot fill stay as written). */
export function renderTitle<T extends RuleDefinition>(rule: T): T {
  if (!rule.titleTemplate) return rule;
  const title = rule.titleTemplate.replace(/\{(\w+)(?:\|(\w+))?\}/g, (whole, field: string, format?: string) => placeholder(rule, field, format) ?? whole);
  return { ...rule, title };
}

/** The episode a rule's alerts belong to. */
export const episodeOf = (rule: Pick<RuleDefinition, 'id' | 'episode'>): string => rule.episode ?? rule.id;
