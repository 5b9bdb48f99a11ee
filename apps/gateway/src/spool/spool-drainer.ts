import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { QuarantineRepository, type RefusedReading } from '@rpm/persistence';
import { READING_STORE } from '@rpm/platform';
import { writeIsolatingRefusals, type ReadingStore } from '@rpm/timeseries';
import { READING_ANNOUNCER, type ReadingAnnouncer } from '../broker/reading-announcer';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config';
import { GatewayMetrics } from '../observability/gateway-metrics';
import { ReadingSpool, type SpoolEntry } from './reading-spool';
import { ReceiptPublisher } from './receipt-publisher';

const BATCH_SIZE = 5000;
const MAX_BACKOFF_MS = 2000;
/**
 * A short batch waits until its oldest reading is this old. Each drain cycle costs a store request, an
 * announcement and a checkpoint write whatever its size: draining eagerly at 1,000 readings/s ran hundreds
 * of cycles a second and held most of a core; lingering caps that at about 1000 / LINGER_MS cycles.
 */
const LINGER_MS = 10;
/** A batch full of refused readings logs this many one by one, then a count. */
const LOGGED_REFUSALS = 20;

/**
 * Moves spooled readings to the store in batches, announces them to alerting, then releases them.
 * In that order, a crash at any point replays readings the store and alerting already have, and both
 * absorb replays; nothing acknowledged is skipped. Readings the store refuses for their content are
 * isolated and quarantined (committed before the release), so one poison reading never holds up the
 * others. While the store is unavailable it retries with backoff and the spool grows: SpoolAlarm watches
 * its progress and raises the operator alarm, GatewayReadiness reports it.
 */
@Injectable()
export class SpoolDrainer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SpoolDrainer.name);
  private running = false;
  private loop?: Promise<void>;
  private storeHealthy = true;
  private error?: string;
  private progressAt = Date.now();

  constructor(
    private readonly spool: ReadingSpool,
    @Inject(READING_STORE) private readonly store: ReadingStore,
    @Inject(READING_ANNOUNCER) private readonly announcer: ReadingAnnouncer,
    private readonly metrics: GatewayMetrics,
    private readonly quarantine: QuarantineRepository,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly receipts: ReceiptPublisher,
  ) {}

  get isStoreHealthy(): boolean {
    return this.storeHealthy;
  }

  /** Last time the drain stored or quarantined a batch, or found nothing to do. */
  get lastProgressAt(): number {
    return this.progressAt;
  }

  /** Why the last store write failed, while the store is unhealthy. */
  get lastError(): string | undefined {
    return this.error;
  }

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.spool.close();
  }

  /** Durable before the caller releases the batch: an error here retries the batch, like an unavailable store. */
  private async quarantineRefused(refused: RefusedReading[]): Promise<void> {
    await this.quarantine.add(refused, this.config.timeseries.kind);
    this.metrics.readingsQuarantined.inc(refused.length);
    for (const { reading, reason } of refused.slice(0, LOGGED_REFUSALS)) {
      this.logger.error({
        message: 'reading refused by the store; quarantined (npm run quarantine -- list)',
        deviceId: reading.deviceId,
        metric: reading.metric,
        measuredAt: reading.measuredAt,
        seq: reading.seq,
        reason,
      });
    }
    if (refused.length > LOGGED_REFUSALS) {
      this.logger.error({ message: 'more readings of the same batch quarantined', readings: refused.length - LOGGED_REFUSALS });
    }
  }

  private async run(): Promise<void> {
    let backoffMs = 100;
    while (this.running) {
      let batch = this.spool.peek(BATCH_SIZE);
      if (batch.length === 0) {
        this.progressAt = Date.now();
        await Promise.race([this.spool.whenPending(), sleep(1000)]);
        this.progressAt = Date.now();
        continue;
      }
      const wait = LINGER_MS - (Date.now() - batch[0].appendedAt);
      if (batch.length < BATCH_SIZE && wait > 0) {
        await sleep(wait);
        batch = this.spool.peek(BATCH_SIZE);
      }
      try {
        const stopTimer = this.metrics.storeWriteSeconds.startTimer();
        const alreadyStored = new Set<SpoolEntry>();
        const { stored, refused } = await writeIsolatingRefusals(batch, async (entries: readonly SpoolEntry[]) => {
          const written = await this.store.write(entries.map((entry) => entry.reading));
          written.alreadyStored.forEach((already, index) => already && alreadyStored.add(entries[index]));
        });
        stopTimer();
        if (refused.length > 0) await this.quarantineRefused(refused.map(({ item, reason }) => ({ reading: item.reading, reason })));
        const readings = stored.map((entry) => entry.reading);
        await this.announcer.announce(readings);
        await this.spool.release(batch[batch.length - 1].recordNo);
        this.receipts.record(
          readings,
          new Set(stored.flatMap((entry, index) => (alreadyStored.has(entry) ? [index] : []))),
          refused.map(({ item }) => item.reading),
        );
        this.metrics.readingsStored.inc(readings.length);
        this.progressAt = Date.now();
        if (!this.storeHealthy) this.logger.log({ message: 'store reachable again; draining the spool', pending: this.spool.stats().pendingReadings });
        this.storeHealthy = true;
        this.error = undefined;
        backoffMs = 100;
      } catch (error) {
        this.metrics.storeWriteFailures.inc();
        this.error = (error as Error).message;
        if (this.storeHealthy) {
          this.logger.error({ message: 'store write failed; readings stay in the spool and are retried', error: this.error });
        }
        this.storeHealthy = false;
        await sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
