import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { JobFailures } from '../jobs/job-failures';
import { ALERT_CHANNELS, type AlertChannel, type AlertNotification } from './alert-channel';

const MAX_ATTEMPTS = 8;
const BATCH = 50;

interface DueDelivery {
  id: string;
  channel: string;
  event: AlertNotification['event'];
  attempts: number;
  alert_id: string;
  patient_id: string;
  rule_id: string;
  rule_version: number;
  severity: string;
  title: string;
  reason: string;
  opened_at: Date;
}

/**
 * Sends due deliveries and records each attempt. Rows are claimed with FOR UPDATE SKIP LOCKED, so
 * several alerting instances share the work without sending anything twice; a failure is retried with
 * exponential backoff (10 s, 20 s, 40 s ...) and marked failed after MAX_ATTEMPTS.
 */
@Injectable()
export class DeliveryWorker {
  private readonly logger = new Logger(DeliveryWorker.name);
  private readonly channels: Map<string, AlertChannel>;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ALERT_CHANNELS) channels: AlertChannel[],
    private readonly failures: JobFailures,
  ) {
    this.channels = new Map(channels.map((channel) => [channel.name, channel]));
  }

  async runOnce(): Promise<number> {
    if (this.channels.size === 0) return 0;
    return this.dataSource.transaction(async (manager) => {
      const due: DueDelivery[] = await manager.query(
        `SELECT d.id, d.channel, d.event, d.attempts, a.id AS alert_id, a.patient_id, a.rule_id, a.rule_version, a.severity, a.title, a.reason, a.opened_at
           FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id
          WHERE d.status = 'pending' AND d.next_attempt_at <= now()
          ORDER BY d.next_attempt_at
          LIMIT ${BATCH}
          FOR UPDATE OF d SKIP LOCKED`,
      );
      for (const delivery of due) {
        // A savepoint per row: a statement the database refuses for one row must not abort the others' transaction.
        await manager.query('SAVEPOINT delivery');
        try {
          await this.attempt(manager, delivery);
          await manager.query('RELEASE SAVEPOINT delivery');
        } catch (error) {
          await manager.query('ROLLBACK TO SAVEPOINT delivery');
          this.failures.record('deliveries', { deliveryId: delivery.id, alertId: delivery.alert_id, patientId: delivery.patient_id }, error);
        }
      }
      return due.length;
    });
  }

  /** Sends one delivery and records the outcome; a channel's failure is recorded for a later retry, not thrown. */
  private async attempt(manager: EntityManager, delivery: DueDelivery): Promise<void> {
    const channel = this.channels.get(delivery.channel);
    const attempts = delivery.attempts + 1;
    try {
      if (!channel) throw new Error(`channel ${delivery.channel} is not configured`);
      await channel.send({
        event: delivery.event,
        alertId: delivery.alert_id,
        patientId: delivery.patient_id,
        ruleId: delivery.rule_id,
        ruleVersion: delivery.rule_version,
        severity: delivery.severity,
        title: delivery.title,
        reason: delivery.reason,
        openedAt: new Date(delivery.opened_at).toISOString(),
      });
      await manager.query(
        `UPDATE alert_deliveries SET status = 'delivered', attempts = $2, delivered_at = now(), last_error = NULL WHERE id = $1`,
        [delivery.id, attempts],
      );
    } catch (error) {
      // PostgreSQL text cannot hold NUL, and a receiver's error text is not ours to trust.
      const message = (error as Error).message.replaceAll('\0', '').slice(0, 1000);
      const status = attempts >= MAX_ATTEMPTS ? 'failed' : 'pending';
      await manager.query(
        `UPDATE alert_deliveries SET status = $2, attempts = $3, last_error = $4,
                next_attempt_at = now() + make_interval(secs => $5) WHERE id = $1`,
        [delivery.id, status, attempts, message, 10 * 2 ** (attempts - 1)],
      );
      this.logger.warn({ message: 'alert delivery failed', deliveryId: delivery.id, channel: delivery.channel, attempts, final: status === 'failed', error: message });
    }
  }
}
