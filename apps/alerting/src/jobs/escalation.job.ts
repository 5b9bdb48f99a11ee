import { Inject, Injectable, Logger } from '@nestjs/common';
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

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ALERTING_CONFIG) private readonly config: AlertingConfig,
    private readonly deliveries: DeliveryQueue,
    private readonly failures: JobFailures,
  ) {}

  async runOnce(): Promise<void> {
    await this.dataSource.query(
      `UPDATE alerts SET status = 'open', snoozed_until = NULL WHERE status = 'snoozed' AND snoozed_until <= now()`,
    );
    const escalated: { id: string }[] = await this.dataSource.query(
      `WITH due AS (
         UPDATE alerts SET escalated_at = now()
          WHERE status = 'open' AND NOT retrospective AND escalated_at IS NULL
            AND created_at <= now() - make_interval(secs => CASE severity WHEN 'urgent' THEN $1::float8 ELSE $2::float8 END)
          RETURNING id)
       SELECT id FROM due`,
      [this.config.escalateAfterMs.urgent / 1000, this.config.escalateAfterMs.warning / 1000],
    );
    for (const { id } of escalated) {
      this.logger.warn({ message: 'alert escalated: not acknowledged in time', alertId: id });
      await this.failures.isolate('escalation', { alertId: id }, () => this.deliveries.enqueue(id, 'escalated'));
    }
  }
}
