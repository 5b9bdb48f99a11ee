import { Injectable, Logger } from '@nestjs/common';
import { deviceRepliesTopic, type DeviceReply } from '@rpm/contracts';
import { GatewayMetrics } from '../observability/gateway-metrics';
import { ReadingSpool } from '../spool/reading-spool';
import { OutboxRelay } from './broker-outbox';
import { parseDeviceMessage, type MessageOrigin } from './parse-device-message';

/**
 * Validates a device message and appends its valid readings to the spool. It resolves only once they
 * are on disk, so a caller that acknowledges on resolution (PUBACK) acknowledges durable readings only;
 * it rejects when the spool cannot take them, and the caller must then not acknowledge.
 */
@Injectable()
export class ReadingIngestor {
  private readonly logger = new Logger(ReadingIngestor.name);

  constructor(
    private readonly spool: ReadingSpool,
    private readonly outbox: OutboxRelay,
    private readonly metrics: GatewayMetrics,
  ) {}

  async ingest(payload: Buffer, origin: MessageOrigin): Promise<DeviceReply> {
    const { accepted, rejected } = parseDeviceMessage(payload, origin);
    await this.spool.append(accepted);
    this.metrics.readingsAccepted.inc(accepted.length);
    const reply: DeviceReply = {
      status: rejected.length === 0 ? 'accepted' : accepted.length === 0 ? 'rejected' : 'partial',
      accepted: accepted.length,
      rejected,
      receivedAt: origin.receivedAt.toISOString(),
    };
    if (rejected.length > 0) {
      for (const item of rejected) this.metrics.readingsRejected.inc({ reason: item.code });
      this.logger.warn({ message: 'readings rejected', deviceId: origin.deviceId, accepted: accepted.length, reasons: rejected.map((item) => item.code) });
      await this.outbox.publish(deviceRepliesTopic(origin.deviceId), JSON.stringify(reply), 1);
    }
    return reply;
  }
}
