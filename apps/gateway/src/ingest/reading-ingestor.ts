import { Inject, Injectable, Logger } from '@nestjs/common';
import { ACCEPTED_READINGS_TOPIC, deviceRepliesTopic, type AcceptedReadingsEvent, type DeviceReply } from '@rpm/contracts';
import type { ReadingStore } from '@rpm/timeseries';
import { READING_STORE } from '@rpm/platform';
import { parseDeviceMessage, type MessageOrigin } from './parse-device-message';

/** How the gateway sends messages: through the embedded broker or through its client of an external one. */
export interface BrokerOutbox {
  publish(topic: string, payload: string, qos: 0 | 1): Promise<void>;
}

/**
 * Validates, stores, then announces. It resolves only after the store has the readings, so a caller
 * that acknowledges on resolution (PUBACK) acknowledges durable readings only; it rejects when the
 * store cannot take them, and the caller must then not acknowledge.
 */
@Injectable()
export class ReadingIngestor {
  private readonly logger = new Logger(ReadingIngestor.name);

  constructor(@Inject(READING_STORE) private readonly store: ReadingStore) {}

  async ingest(payload: Buffer, origin: MessageOrigin, outbox: BrokerOutbox): Promise<DeviceReply> {
    const { accepted, rejected } = parseDeviceMessage(payload, origin);
    await this.store.write(accepted);
    if (accepted.length > 0) {
      const event: AcceptedReadingsEvent = { readings: accepted };
      await outbox.publish(ACCEPTED_READINGS_TOPIC, JSON.stringify(event), 1);
    }
    const reply: DeviceReply = {
      status: rejected.length === 0 ? 'accepted' : accepted.length === 0 ? 'rejected' : 'partial',
      accepted: accepted.length,
      rejected,
      receivedAt: origin.receivedAt.toISOString(),
    };
    if (rejected.length > 0) {
      this.logger.warn({
        message: 'readings rejected',
        deviceId: origin.deviceId,
        accepted: accepted.length,
        reasons: rejected.map((item) => item.code),
      });
      await outbox.publish(deviceRepliesTopic(origin.deviceId), JSON.stringify(reply), 1);
    }
    return reply;
  }
}
