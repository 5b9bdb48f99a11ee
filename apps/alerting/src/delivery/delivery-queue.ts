import { Inject, Injectable } from '@nestjs/common';
import { DeliveryRepository, type DeliveryEvent, type Queryable } from '@rpm/persistence';
import { DataSource } from 'typeorm';
import { ALERT_CHANNELS, type AlertChannel } from './alert-channel';

/** Records that an alert event must reach every configured channel; the worker does the sending. */
@Injectable()
export class DeliveryQueue {
  private readonly deliveries: DeliveryRepository;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ALERT_CHANNELS) private readonly channels: AlertChannel[],
  ) {
    this.deliveries = new DeliveryRepository(dataSource);
  }

  /** `db`: the transaction that opened the alert, so the delivery exists exactly when the alert does. */
  async enqueue(alertId: string, event: DeliveryEvent, db: Queryable = this.dataSource): Promise<void> {
    for (const channel of this.channels) {
      await this.deliveries.enqueue(alertId, channel.name, event, db);
    }
  }
}
