import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PgListener } from '@rpm/platform';
import { ALERTING_CONFIG, type AlertingConfig } from '../alerting.config';
import { LiveEpisodes } from './live-episodes';
import { PatientFacts } from './patient-facts';

/**
 * Keeps alerting's per-patient caches honest with PostgreSQL's notifications: patient_facts_changed (a patient
 * added or removed, their time zone or rule overrides changed; migration 1764530000000) drops the patient's
 * rules and time zone, alert_changed (an alert inserted or its status changed, by anyone) the patient's live
 * episodes. A cache is used only while its LISTEN is up, and emptied whenever it (re)connects.
 */
@Injectable()
export class CacheInvalidation implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CacheInvalidation.name);
  private readonly listeners: PgListener[];

  constructor(@Inject(ALERTING_CONFIG) config: AlertingConfig, facts: PatientFacts, live: LiveEpisodes) {
    const factsListener = new PgListener({
      connectionString: config.databaseUrl,
      channel: 'patient_facts_changed',
      logger: this.logger,
      onNotification: (patientId) => facts.cache.forget(patientId),
      onListening: () => facts.cache.clear(),
    });
    const alertsListener = new PgListener({
      connectionString: config.databaseUrl,
      channel: 'alert_changed',
      logger: this.logger,
      onNotification: (payload) => {
        const patientId = patientOf(payload);
        if (patientId) live.forget(patientId);
        else live.cache.clear();
      },
      onListening: () => live.cache.clear(),
    });
    facts.cache.active = () => factsListener.isListening;
    live.cache.active = () => alertsListener.isListening;
    this.listeners = [factsListener, alertsListener];
  }

  async onApplicationBootstrap(): Promise<void> {
    await Promise.all(this.listeners.map((listener) => listener.start()));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.listeners.map((listener) => listener.stop()));
  }
}

function patientOf(payload: string): string | undefined {
  try {
    const { patientId } = JSON.parse(payload) as { patientId?: unknown };
    return typeof patientId === 'string' ? patientId : undefined;
  } catch {
    return undefined;
  }
}
