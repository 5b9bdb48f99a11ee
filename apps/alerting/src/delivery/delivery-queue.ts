import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Queryable } from '../alerts/alert.repository';
import { ALERT_CHANNELS, type AlertChannel } from './alert-channel';

/** Records that an alert event must reach every configured channel; the worker does the sending. */
@Injectable()
export class DeliveryQueue {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ALERT_CHANNELS) private readonly channels: AlertChannel[],
  ) {}

  /** `db`: the transaction that opened the alert, so the delivery exists exactly when the alert does. */
  async enqueue(alertId: string, event: 'opened' | 'escalated', db: Queryable = this.dataSource): Promise<void> {
    for (const channel of this.channels) {
      // Unique per alert, channel and event: a replayed evaluation or a second instance queues nothing twice.
      await db.query(
        `INSERT INTO alert_deliveries (alert_id, channel, event, status) VALUES ($1, $2, $3, 'pending') ON CONFLICT DO NOTHING`,
        [alertId, channel.name, event],
      );
    }
  }
}
