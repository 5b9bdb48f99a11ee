import { Inject, Injectable, Optional } from '@nestjs/common';
import { evaluateRules, isScheduledRule } from '@rpm/clinical';
import { DeviceRepository } from '@rpm/persistence';
import { DataSource } from 'typeorm';
import { AlertOutcomes } from '../alerts/alert-outcomes';
import { LiveEpisodes } from '../alerts/live-episodes';
import { PatientFacts } from '../alerts/patient-facts';
import { ScheduledWindows } from '../alerts/scheduled-windows';
import { JobFailures } from './job-failures';

/**
 * Evaluates the clock-triggered rules (missing data, CGM window statistics) for every patient with an
 * active device, at the wall-clock time. Idempotent: the episode index and delivery keys make a second
 * run, or a second instance, change nothing. One patient's failure is logged and counted, and the run
 * goes on with the next patient. The readings come from ScheduledWindows: a patient whose readings did not
 * change since the last run costs no store query.
 */
@Injectable()
export class ScheduledRulesJob {
  private readonly devices: DeviceRepository;

  constructor(
    @Inject(DataSource) dataSource: DataSource,
    private readonly facts: PatientFacts,
    private readonly outcomes: AlertOutcomes,
    private readonly failures: JobFailures,
    @Optional() private readonly live?: LiveEpisodes,
    // The patients' windows kept between runs; without it (a bare test) every run reads the store.
    @Optional() private readonly windows?: ScheduledWindows,
  ) {
    this.devices = new DeviceRepository(dataSource);
  }

  async runOnce(now = new Date()): Promise<void> {
    for (const patientId of await this.devices.patientsWithActiveDevices()) {
      await this.failures.isolate('scheduled-rules', { patientId }, () => this.evaluatePatient(patientId, now));
    }
  }

  private async evaluatePatient(patientId: string, now: Date): Promise<void> {
    const context = await this.facts.context(patientId);
    const rules = context?.rules.filter(isScheduledRule) ?? [];
    if (!context || rules.length === 0) return;
    const readings = this.windows ? await this.windows.readings(patientId, rules, now) : await this.facts.readings(patientId, rules, now, now);
    const results = evaluateRules(rules, { now, readings, timeZone: context.timeZone });
    // With the patient's live episodes a clear outcome costs a statement only when there is an alert to resolve
    // (every patient's clear rules were an UPDATE each, every run).
    const live = this.live && (await this.live.of([patientId])).get(patientId);
    try {
      await this.outcomes.apply(patientId, results, now.toISOString(), false, live);
    } catch (error) {
      this.live?.forget(patientId);
      throw error;
    }
  }
}
