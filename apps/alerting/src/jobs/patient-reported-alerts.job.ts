import { Inject, Injectable, Logger } from '@nestjs/common';
import { QuestionnaireResponseRepository } from '@rpm/persistence';
import { DataSource } from 'typeorm';
import { ALERT_CHANNELS, type AlertChannel } from '../delivery/alert-channel';
import { DeliveryQueue } from '../delivery/delivery-queue';
import { JobFailures } from './job-failures';

/** Alerts older than this are left alone: the job delivers what the API opens now, not history. */
const LOOK_BACK_MS = 24 * 3_600_000;

/**
 * Queues the 'opened' delivery of alerts the API raised from questionnaire answers (a PHQ-9 self-harm answer,
 * severe pain after surgery ...): the API records the alert with the response, and this app, which knows the
 * configured channels, queues its delivery as it does for the alerts it opens itself. Runs every 2 s; queueing
 * is idempotent per alert, channel and event, so several instances are safe.
 */
@Injectable()
export class PatientReportedAlertsJob {
  private readonly logger = new Logger(PatientReportedAlertsJob.name);
  private readonly responses: QuestionnaireResponseRepository;

  constructor(
    @Inject(DataSource) dataSource: DataSource,
    private readonly deliveries: DeliveryQueue,
    private readonly failures: JobFailures,
    @Inject(ALERT_CHANNELS) private readonly channels: AlertChannel[],
  ) {
    this.responses = new QuestionnaireResponseRepository(dataSource);
  }

  async runOnce(now: Date = new Date()): Promise<void> {
    // With no channel configured nothing can be queued: the same alerts would be found again every run.
    if (this.channels.length === 0) return;
    for (const alertId of await this.responses.undeliveredAlerts(new Date(now.getTime() - LOOK_BACK_MS))) {
      const queued = await this.failures.isolate('patient-reported-alerts', { alertId }, () => this.deliveries.enqueue(alertId, 'opened'));
      if (queued) this.logger.log({ message: 'patient-reported alert queued for delivery', alertId });
    }
  }
}
