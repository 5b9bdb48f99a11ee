import type { NormalizedReading } from '@rpm/contracts';
import { isScheduledRule } from './evaluate-rules';
import type { RuleDefinition } from './rule-definition.schema';
import { thresholdSide } from './threshold.evaluator';

/**
 * Whether this reading could open an urgent alert under these rules: it lies beyond an urgent threshold,
 * or it feeds an urgent rule that reads a trend (a glucose reading, for "falling very fast" and "urgent
 * low soon"). A reading inside every urgent threshold of a metric without trend rules (a normal heart rate)
 * cannot page by itself, whatever the stream's density.
 */
export function canOpenUrgent(rules: readonly RuleDefinition[], reading: NormalizedReading): boolean {
  return rules.some(
    (rule) =>
      rule.severity === 'urgent' &&
      rule.metric === reading.metric &&
      !isScheduledRule(rule) &&
      (rule.kind !== 'threshold' || thresholdSide(rule, reading)?.beyond === true),
  );
}
