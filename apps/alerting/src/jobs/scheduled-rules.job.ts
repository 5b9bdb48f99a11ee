import { Inject, Injectable } from '@nestjs/common';
import { evaluateRules, isScheduledRule } from '@rpm/clinical';
import { DataSource } from 'typeorm';
import { AlertOutcomes } from '../alerts/alert-outcomes';
import { PatientFacts } from '../alerts/patient-facts';

/**
 * Evaluates the clock-triggered rules (missing data, CGM window statistics) for every patient with an
 * active device, at the wall-clock time. Idempotent: the episode index and delivery keys make a second
 * run, or a second instance, change nothing.
 */
@Injectable()
export class ScheduledRulesJob {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly facts: PatientFacts,
    private readonly outcomes: AlertOutcomes,
  ) {}

  async runOnce(now = new Date()): Promise<void> {
    const patients: { patient_id: string }[] = await this.dataSource.query(
      'SELECT DISTINCT patient_id FROM devices WHERE revoked_at IS NULL',
    );
    for (const { patient_id: patientId } of patients) {
      const context = await this.facts.context(patientId);
      const rules = context?.rules.filter(isScheduledRule) ?? [];
      if (!context || rules.length === 0) continue;
      const readings = await this.facts.readings(patientId, rules, now, now);
      const results = evaluateRules(rules, { now, readings, timeZone: context.timeZone });
      await this.outcomes.apply(patientId, results, now.toISOString(), false);
    }
  }
}
