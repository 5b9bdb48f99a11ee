import { Inject, Injectable } from '@nestjs/common';
import { evaluateRules, isScheduledRule } from '@rpm/clinical';
import { DataSource } from 'typeorm';
import { AlertOutcomes } from '../alerts/alert-outcomes';
import { PatientFacts } from '../alerts/patient-facts';
import { JobFailures } from './job-failures';

/**
 * Evaluates the clock-triggered rules (missing data, CGM window statistics) for every patient with an
 * active device, at the wall-clock time. Idempotent: the episode index and delivery keys make a second
 * run, or a second instance, change nothing. One patient's failure is logged and counted, and the run
 * goes on with the next patient.
 */
@Injectable()
export class ScheduledRulesJob {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly facts: PatientFacts,
    private readonly outcomes: AlertOutcomes,
    private readonly failures: JobFailures,
  ) {}

  async runOnce(now = new Date()): Promise<void> {
    const patients: { patient_id: string }[] = await this.dataSource.query(
      'SELECT DISTINCT patient_id FROM devices WHERE revoked_at IS NULL',
    );
    for (const { patient_id: patientId } of patients) {
      await this.failures.isolate('scheduled-rules', { patientId }, () => this.evaluatePatient(patientId, now));
    }
  }

  private async evaluatePatient(patientId: string, now: Date): Promise<void> {
    const context = await this.facts.context(patientId);
    const rules = context?.rules.filter(isScheduledRule) ?? [];
    if (!context || rules.length === 0) return;
    const readings = await this.facts.readings(patientId, rules, now, now);
    const results = evaluateRules(rules, { now, readings, timeZone: context.timeZone });
    await this.outcomes.apply(patientId, results, now.toISOString(), false);
  }
}
