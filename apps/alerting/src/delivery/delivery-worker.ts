import { Inject, Injectable, Logger } from '@nestjs/common';
import { DeliveryRepository, type DueDelivery } from '@rpm/persistence';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { JobFailures } from '../jobs/job-failures';
import { ALERT_CHANNELS, type AlertChannel, type AlertNotification } from './alert-channel';

const MAX_ATTEMPTS = 8;
const BATCH = 50;
/**
 * How long a claim holds its rows: longer than a batch takes to send (a channel times out after 10 s, and a
 * batch's rows are sent one after another), so a live worker's rows are not taken over. A crashed worker's
 * rows are sent again once it expires.
 */
export const CLAIM_SECONDS = 15 * 60;

/** A raise of severity is told as 'raised'; the notification's severity says to what. */
const eventOf = (event: DueDelivery['event']): AlertNotification['event'] => (event.startsWith('raised_to_') ? 'raised' : (event as 'opened' | 'escalated'));

/**
 * Sends due deliveries and records each attempt. Rows are claimed in one committed statement (SKIP LOCKED,
 * so instances share the work, and a claim keeps other instances off them), sent with no database
 * transaction open (a slow receiver holds no lock and no connection), then settled row by row: one row's
 * failure does not stop the others. A failure is retried with exponential backoff (10 s, 20 s, 40 s ...) and
 * marked failed after MAX_ATTEMPTS.
 */
@Injectable()
export class DeliveryWorker {
  private readonly logger = new Logger(DeliveryWorker.name);
  private readonly channels: Map<string, AlertChannel>;
  private readonly deliveries: DeliveryRepository;
  /** This worker's name on its claims. */
  readonly workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(
    @Inject(DataSource) dataSource: DataSource,
    @Inject(ALERT_CHANNELS) channels: AlertChannel[],
    private readonly failures: JobFailures,
  ) {
    this.channels = new Map(channels.map((channel) => [channel.name, channel]));
    this.deliveries = new DeliveryRepository(dataSource);
  }

  async runOnce(claimSeconds = CLAIM_SECONDS): Promise<number> {
    if (this.channels.size === 0) return 0;
    const due = await this.deliveries.claimDue(BATCH, this.workerId, claimSeconds);
    // Rows not started before most of the claim has run out are given back, so no other worker takes over a row this one is still to send.
    const sendUntil = Date.now() + claimSeconds * 500;
    for (const [index, delivery] of due.entries()) {
      if (Date.now() > sendUntil) {
        await this.deliveries.release(
          due.slice(index).map((rest) => rest.id),
          this.workerId,
        );
        return index;
      }
      try {
        await this.attempt(delivery);
      } catch (error) {
        // Its claim expires and the row is tried again.
        this.failures.record('deliveries', { deliveryId: delivery.id, alertId: delivery.alert_id, patientId: delivery.patient_id }, error);
      }
    }
    return due.length;
  }

  /** When the next pending delivery is due (a retry's time, another worker's claim ending); undefined with no channel or none pending. */
  async nextDueAt(): Promise<Date | undefined> {
    if (this.channels.size === 0) return undefined;
    return this.deliveries.nextDueAt();
  }

  /** Sends one delivery and records the outcome; a channel's failure is recorded for a later retry, not thrown. */
  private async attempt(delivery: DueDelivery): Promise<void> {
    const channel = this.channels.get(delivery.channel);
    const attempts = delivery.attempts + 1;
    let failure: string | undefined;
    try {
      if (!channel) throw new Error(`channel ${delivery.channel} is not configured`);
      await channel.send({
        event: eventOf(delivery.event),
        alertId: delivery.alert_id,
        patientId: delivery.patient_id,
        ruleId: delivery.rule_id,
        ruleVersion: delivery.rule_version,
        severity: delivery.severity,
        title: delivery.title,
        reason: delivery.reason,
        openedAt: new Date(delivery.opened_at).toISOString(),
        raisedAt: new Date(delivery.raised_at).toISOString(),
      });
    } catch (error) {
      // PostgreSQL text cannot hold NUL, and a receiver's error text is not ours to trust.
      failure = (error as Error).message.replaceAll('\0', '').slice(0, 1000);
    }
    if (failure === undefined) {
      if (!(await this.deliveries.delivered(delivery.id, this.workerId, attempts)))
        this.logger.warn({ message: 'alert delivered after its claim expired', deliveryId: delivery.id, channel: delivery.channel });
      return;
    }
    const status = attempts >= MAX_ATTEMPTS ? 'failed' : 'pending';
    await this.deliveries.failed(delivery.id, this.workerId, status, attempts, failure, 10 * 2 ** (attempts - 1));
    this.logger.warn({
      message: 'alert delivery failed',
      deliveryId: delivery.id,
      channel: delivery.channel,
      attempts,
      final: status === 'failed',
      error: failure,
    });
  }
}
