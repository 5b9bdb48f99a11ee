import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { deviceReceiptsTopic, type DeviceReceipt, type NormalizedReading } from '@rpm/contracts';
import { BROKER_PUBLISHER, type BrokerPublisher } from '../broker/broker-publisher';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config';

/** Readings of one device stored since its last receipt. */
interface Pending {
  storedNew: number;
  alreadyStored: number;
  quarantined: number;
  earliestMs: number;
  latestMs: number;
}

/**
 * How long counts gather before a device gets its receipt: a backfill of many messages drained in many
 * cycles gets a few receipts rather than one per cycle, and the drain loop only adds to counts in memory.
 */
const FLUSH_MS = 250;

/**
 * Tells each device, on its receipts topic, how many of its readings the drain stored new and how many the
 * store already had (docs/device-protocol.md, "Receipts"). Called by SpoolDrainer with what it released;
 * publishing happens off the drain loop, at QoS 1, and a receipt that cannot be published is logged and
 * dropped: it reports on readings already stored, so nothing is lost with it.
 */
@Injectable()
export class ReceiptPublisher implements OnApplicationShutdown {
  private readonly logger = new Logger(ReceiptPublisher.name);
  private pending = new Map<string, Pending>();
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  private readonly enabled: boolean;

  constructor(
    @Inject(BROKER_PUBLISHER) private readonly publisher: BrokerPublisher,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.enabled = config.deviceReceipts;
  }

  /** Counts a drained batch: `alreadyStored[i]` says whether `stored[i]` was there before. */
  record(stored: readonly NormalizedReading[], alreadyStored: ReadonlySet<number>, quarantined: readonly NormalizedReading[] = []): void {
    if (!this.enabled) return;
    stored.forEach((reading, index) => {
      const pending = this.pendingFor(reading);
      if (alreadyStored.has(index)) pending.alreadyStored++;
      else pending.storedNew++;
    });
    for (const reading of quarantined) this.pendingFor(reading).quarantined++;
    if (this.pending.size > 0) this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  /** Publishes every pending receipt now. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const due = this.pending;
    this.pending = new Map();
    const storedAt = new Date().toISOString();
    this.flushing = this.flushing.then(async () => {
      for (const [deviceId, counts] of due) {
        if (!this.publisher.wantsReceipts(deviceId)) continue;
        const receipt: DeviceReceipt = {
          storedNew: counts.storedNew,
          alreadyStored: counts.alreadyStored,
          quarantined: counts.quarantined,
          earliestMeasuredAt: new Date(counts.earliestMs).toISOString(),
          latestMeasuredAt: new Date(counts.latestMs).toISOString(),
          storedAt,
        };
        await this.publisher.publish(deviceReceiptsTopic(deviceId), JSON.stringify(receipt), 1).catch((error: Error) => {
          this.logger.warn({ message: 'receipt not published (the readings are stored)', deviceId, error: error.message });
        });
      }
    });
    return this.flushing;
  }

  private pendingFor(reading: NormalizedReading): Pending {
    const measuredAtMs = Date.parse(reading.measuredAt);
    let pending = this.pending.get(reading.deviceId);
    if (!pending) {
      pending = { storedNew: 0, alreadyStored: 0, quarantined: 0, earliestMs: measuredAtMs, latestMs: measuredAtMs };
      this.pending.set(reading.deviceId, pending);
    }
    if (measuredAtMs < pending.earliestMs) pending.earliestMs = measuredAtMs;
    if (measuredAtMs > pending.latestMs) pending.latestMs = measuredAtMs;
    return pending;
  }
}
