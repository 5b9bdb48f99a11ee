import { Inject, Injectable, Logger } from '@nestjs/common';
import { AlertRepository } from '@rpm/persistence';
import { DataSource } from 'typeorm';
import { ALERTING_CONFIG, type AlertingConfig } from '../alerting.config';
import { DeliveryQueue } from '../delivery/delivery-queue';
import { JobFailures } from './job-failures';

/**
 * Escalates alerts nobody acknowledged in their severity's time (urgent 15 min, warning 4 h by default):
 * marks them escalated once, in one UPDATE, so two instances cannot both escalate, and queues the
 * escalation notification. Snoozed alerts escalate again when their snooze ends without acknowledgement.
 */
@Injectable()
export class EscalationJob {
  private readonly logger = new Logger(EscalationJob.name);

  private readonly alerts: AlertRepository;

  constructor(
    @Inject(DataSource) dataSource: DataSource,
    @Inject(ALERTING_CONFIG) private readonly config: AlertingConfig,
    private readonly deliveries: DeliveryQueue,
    private readonly failures: JobFailures,
  ) {
    this.alerts = new AlertRepository(dataSource);
  }

  async runOnce(): Promise<void> {
    await this.alerts.reopenElapsedSnoozes();
    const escalated = await this.alerts.escalateUnacknowledged(this.afterSeconds());
    for (const id of escalated) {
      this.logger.warn({ message: 'alert escalated: not acknowledged in time', alertId: id });
      await this.failures.isolate('escalation', { alertId: id }, () => this.deliveries.enqueue(id, 'escalated'));
    }
  }

  /** When runOnce next has something to do (a snooze ends, an alert passes its time); undefined: nothing open. */
  nextDueAt(): Promise<Date | undefined> {
    return this.alerts.nextEscalationAt(this.afterSeconds());
  }

  private afterSeconds(): { urgent: number; warning: number } {
    return { urgent: this.config.escalateAfterMs.urgent / 1000, warning: this.config.escalateAfterMs.warning / 1000 };
  }
}
