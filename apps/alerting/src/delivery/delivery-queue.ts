import { Inject, Injectable } from '@nestjs/common';
import { DeliveryRepository } from '@rpm/persistence';
import { DataSource } from 'typeorm';
import { ALERT_CHANNELS, type AlertChannel } from './alert-channel';

/** Records that an alert event must reach every configured channel; the worker does the sending. */
@Injectable()
export class DeliveryQueue {
  private readonly deliveries: DeliveryRepository;

  constructor(
    @Inject(DataSource) dataSource: DataSource,
    @Inject(ALERT_CHANNELS) private readonly channels: AlertChannel[],
  ) {
    this.deliveries = new DeliveryRepository(dataSource);
  }

  async enqueue(alertId: string, event: 'opened' | 'escalated'): Promise<void> {
    for (const channel of this.channels) {
      await this.deliveries.enqueue(alertId, channel.name, event);
    }
  }
}
