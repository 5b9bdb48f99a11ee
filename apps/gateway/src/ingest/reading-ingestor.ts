import { Injectable, Logger } from '@nestjs/common';
import { deviceRepliesTopic, type DeviceReply } from '@rpm/contracts';
import { GatewayMetrics } from '../observability/gateway-metrics';
import { ReadingSpool } from '../spool/reading-spool';
import { parseDeviceMessage, type MessageOrigin } from './parse-device-message';

/** What became of one device message, and what to tell the device. */
export interface IngestResult {
  reply: DeviceReply;
  /**
   * Where the broker must publish `reply` before it acknowledges the message, or undefined when the
   * device need not hear more than the PUBACK (every reading accepted).
   */
  replyTopic?: string;
}

/**
 * Validates a device message and appends its valid readings to the spool. It resolves only once they
 * are on disk, so a caller that acknowledges on resolution (PUBACK) acknowledges durable readings only;
 * it rejects when the spool cannot take them, and the caller must then not acknowledge. It sends
 * nothing itself: the broker that received the message sends the reply.
 */
@Injectable()
export class ReadingIngestor {
  private readonly logger = new Logger(ReadingIngestor.name);

  constructor(
    private readonly spool: ReadingSpool,
    private readonly metrics: GatewayMetrics,
  ) {}

  async ingest(payload: Buffer, origin: MessageOrigin): Promise<IngestResult> {
    const { accepted, rejected } = parseDeviceMessage(payload, origin);
    await this.spool.append(accepted);
    this.metrics.readingsAccepted.inc(accepted.length);
    const reply: DeviceReply = {
      status: rejected.length === 0 ? 'accepted' : accepted.length === 0 ? 'rejected' : 'partial',
      accepted: accepted.length,
      rejected,
      receivedAt: origin.receivedAt.toISOString(),
    };
    if (rejected.length === 0) return { reply };
    for (const item of rejected) this.metrics.readingsRejected.inc({ reason: item.code });
    this.logger.warn({ message: 'readings rejected', deviceId: origin.deviceId, accepted: accepted.length, reasons: rejected.map((item) => item.code) });
    return { reply, replyTopic: deviceRepliesTopic(origin.deviceId) };
  }
}
