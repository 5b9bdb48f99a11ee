import { Inject, Injectable, Logger } from '@nestjs/common';
import { DeliveryRepository, type DeliveryBatch, type DueDelivery } from '@rpm/persistence';
import { DataSource } from 'typeorm';
import { JobFailures } from '../jobs/job-failures';
import { ALERT_CHANNELS, type AlertChannel } from './alert-channel';

const MAX_ATTEMPTS = 8;
const BATCH = 50;

/**
 * Sends due deliveries and records each attempt. Rows are claimed with FOR UPDATE SKIP LOCKED, so
 * several alerting instances share the work without sending anything twice; a failure is retried with
 * exponential backoff (10 s, 20 s, 40 s ...) and marked failed after MAX_ATTEMPTS.
 */
@Injectable()
export class DeliveryWorker {
  private readonly logger = new Logger(DeliveryWorker.name);
  private readonly channels: Map<string, AlertChannel>;
  private readonly deliveries: DeliveryRepository;

  constructor(
    @Inject(DataSource) dataSource: DataSource,
    @Inject(ALERT_CHANNELS) channels: AlertChannel[],
    private readonly failures: JobFailures,
  ) {
    this.channels = new Map(channels.map((channel) => [channel.name, channel]));
    this.deliveries = new DeliveryRepository(dataSource);
  }

  async runOnce(): Promise<number> {
    if (this.channels.size === 0) return 0;
    return this.deliveries.withDueBatch(BATCH, async (due, batch) => {
      for (const delivery of due) {
        try {
          // Each row in a savepoint of its own: a statement the database refuses for one row does not abort the others.
          await batch.isolated(() => this.attempt(batch, delivery));
        } catch (error) {
          this.failures.record('deliveries', { deliveryId: delivery.id, alertId: delivery.alert_id, patientId: delivery.patient_id }, error);
        }
      }
      return due.length;
    });
  }

  /** Sends one delivery and records the outcome; a channel's failure is recorded for a later retry, not thrown. */
  private async attempt(batch: DeliveryBatch, delivery: DueDelivery): Promise<void> {
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
      await batch.delivered(delivery.id, attempts);
    } catch (error) {
      // PostgreSQL text cannot hold NUL, and a receiver's error text is not ours to trust.
      const message = (error as Error).message.replaceAll('\0', '').slice(0, 1000);
      const status = attempts >= MAX_ATTEMPTS ? 'failed' : 'pending';
      await batch.failed(delivery.id, status, attempts, message, 10 * 2 ** (attempts - 1));
      this.logger.warn({
        message: 'alert delivery failed',
        deliveryId: delivery.id,
        channel: delivery.channel,
        attempts,
        final: status === 'failed',
        error: message,
      });
    }
  }
}
