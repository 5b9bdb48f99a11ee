import { Injectable } from '@nestjs/common';
import { DEFAULT_THRESHOLD_RULES, evaluateThresholds } from '@rpm/clinical';
import type { NormalizedReading } from '@rpm/contracts';
import { AlertRepository } from './alert.repository';

/** Gathers the facts (a reading, the rules), runs the pure rule evaluation and persists the outcome. */
@Injectable()
export class ReadingEvaluator {
  constructor(private readonly alerts: AlertRepository) {}

  async evaluate(readings: readonly NormalizedReading[]): Promise<void> {
    // Measurement order, not arrival order: a batch of backfilled readings is replayed as it happened.
    const ordered = [...readings].sort((a, b) => a.measuredAt.localeCompare(b.measuredAt));
    for (const reading of ordered) {
      const rules = DEFAULT_THRESHOLD_RULES.filter((rule) => rule.metric === reading.metric);
      const findings = evaluateThresholds(reading, rules);
      for (const finding of findings) await this.alerts.recordFinding(reading, finding);
      const firedIds = new Set(findings.map((finding) => finding.ruleId));
      // A lower tier (level 1) stays live while a higher tier (level 2) fires for the same reading.
      const quietIds = findings.length > 0 ? [] : rules.map((rule) => rule.id).filter((id) => !firedIds.has(id));
      await this.alerts.resolveRecovered(reading, quietIds);
    }
  }
}
