import { Injectable } from '@nestjs/common';
import { AlertRepository } from '@rpm/persistence';
import { PatientCache } from './patient-cache';

const MAX_CACHED_PATIENTS = 20_000;

/**
 * The episodes with a live alert (open, acknowledged, snoozed) of each patient, which AlertOutcomes needs to
 * know whether a clear reading has anything to resolve. Kept across batches while CacheInvalidation hears
 * alert_changed (every insert or status change of an alert, by alerting itself, the API or a job), which drops
 * the patient's entry: a patient whose alerts do not change costs no query per reading.
 */
@Injectable()
export class LiveEpisodes {
  readonly cache = new PatientCache<Set<string>>(MAX_CACHED_PATIENTS);

  constructor(private readonly alerts: AlertRepository) {}

  /**
   * Each patient's live episodes. The sets are the cache's own: AlertOutcomes adds the episodes it opens to them,
   * and the alert_changed of its commit replaces them; a failed evaluation must forget() the patient.
   */
  of(patientIds: readonly string[]): Promise<Map<string, Set<string>>> {
    return this.cache.getMany(
      patientIds,
      (missing) => this.alerts.liveEpisodes(missing),
      () => new Set<string>(),
    );
  }

  forget(patientId: string): void {
    this.cache.forget(patientId);
  }
}
