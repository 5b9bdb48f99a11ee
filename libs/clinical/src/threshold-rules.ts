import type { Metric, NormalizedReading } from '@rpm/contracts';

export type Severity = 'info' | 'warning' | 'urgent';

/**
 * A threshold rule as data. Thresholds are given as the published pair for each unit
 * (70 mg/dL and 3.9 mmol/L), and a reading is compared in the unit the device reported it in,
 * so a reading of exactly 3.9 mmol/L is not "below 70 mg/dL" because of conversion rounding.
 */
export interface ThresholdRule {
  id: string;
  version: number;
  metric: Metric;
  field: string;
  comparator: 'below' | 'above';
  threshold: Record<string, number>;
  severity: Severity;
  title: string;
  source: string;
}

export interface ThresholdFinding {
  ruleId: string;
  ruleVersion: number;
  severity: Severity;
  title: string;
  /** One sentence a clinician reads to know why the alert fired. */
  reason: string;
}

/** Programme defaults for glucose from CLINICAL.md (ADA Standards of Care, section 6). */
export const DEFAULT_THRESHOLD_RULES: readonly ThresholdRule[] = [
  {
    id: 'glucose.level2_hypo',
    version: 1,
    metric: 'glucose',
    field: 'value',
    comparator: 'below',
    threshold: { 'mg/dL': 54, 'mmol/L': 3.0 },
    severity: 'urgent',
    title: 'Level 2 hypoglycaemia',
    source: 'ADA Standards of Care, section 6',
  },
  {
    id: 'glucose.level1_hypo',
    version: 1,
    metric: 'glucose',
    field: 'value',
    comparator: 'below',
    threshold: { 'mg/dL': 70, 'mmol/L': 3.9 },
    severity: 'warning',
    title: 'Level 1 hypoglycaemia',
    source: 'ADA Standards of Care, section 6',
  },
];

function crosses(rule: ThresholdRule, value: number, limit: number): boolean {
  return rule.comparator === 'below' ? value < limit : value > limit;
}

/**
 * Every rule that fires for one reading, most severe first. Rules of one metric and field that share
 * a comparator are tiers of one condition: only the most severe tier that fires is reported.
 */
export function evaluateThresholds(reading: NormalizedReading, rules: readonly ThresholdRule[]): ThresholdFinding[] {
  const fired = new Map<string, ThresholdFinding & { rank: number }>();
  for (const rule of rules) {
    if (rule.metric !== reading.metric) continue;
    const reportedUnit = reading.original.unit;
    const useOriginal = rule.threshold[reportedUnit] !== undefined && reading.original.values[rule.field] !== undefined;
    const unit = useOriginal ? reportedUnit : reading.unit;
    const value = useOriginal ? reading.original.values[rule.field] : reading.values[rule.field];
    const limit = rule.threshold[unit];
    if (value === undefined || limit === undefined || !crosses(rule, value, limit)) continue;
    const condition = `${rule.metric}.${rule.field}.${rule.comparator}`;
    const rank = SEVERITY_RANK[rule.severity];
    const previous = fired.get(condition);
    if (previous && previous.rank >= rank) continue;
    fired.set(condition, {
      rank,
      ruleId: rule.id,
      ruleVersion: rule.version,
      severity: rule.severity,
      title: rule.title,
      reason: `${rule.title}: ${rule.metric} ${value} ${unit} is ${rule.comparator} ${limit} ${unit}`,
    });
  }
  return [...fired.values()].sort((a, b) => b.rank - a.rank).map(({ rank: _rank, ...finding }) => finding);
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, urgent: 2 };
