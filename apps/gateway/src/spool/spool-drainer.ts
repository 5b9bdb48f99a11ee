import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { QuarantineRepository, type RefusedReading } from '@rpm/persistence';
import { READING_STORE } from '@rpm/platform';
import { writeIsolatingRefusals, type ReadingStore } from '@rpm/timeseries';
import { READING_ANNOUNCER, type ReadingAnnouncer } from '../broker/reading-announcer';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config';
import { GatewayMetrics } from '../observability/gateway-metrics';
import { dueAt, UrgentWatch } from './drain-linger';
import { ReadingSpool, type SpoolEntry } from './reading-spool';
import { ReceiptPublisher } from './receipt-publisher';

const BATCH_SIZE = 5000;
const MAX_BACKOFF_MS = 2000;
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
  private readonly urgent = new UrgentWatch();
  private stop?: () => void;
  private readonly stopped = new Promise<void>((resolve) => (this.stop = resolve));

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
    this.stop?.();
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
        // Nothing to do: sleep until a reading is appended (no timer wakes an idle gateway).
        this.progressAt = Date.now();
        await Promise.race([this.spool.whenPending(), this.stopped]);
        this.progressAt = Date.now();
        continue;
      }
      batch = await this.linger(batch);
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
        this.urgent.released(batch[batch.length - 1].recordNo);
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

  /**
   * Waits while the batch is short and not yet due (drain-linger.ts: 10 ms when a reading in it could open an
   * urgent alert, else up to 1 s or 100 readings), looking again at every append, so an urgent-capable reading
   * arriving behind quiet ones sends them all at once. Returns the batch to send.
   */
  private async linger(batch: SpoolEntry[]): Promise<SpoolEntry[]> {
    while (this.running && batch.length < BATCH_SIZE) {
      const wait = dueAt(batch, this.urgent.anyIn(batch)) - Date.now();
      if (wait <= 0) break;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.spool.whenAppended(), this.stopped, new Promise((resolve) => (timer = setTimeout(resolve, wait)))]);
      clearTimeout(timer);
      batch = this.spool.peek(BATCH_SIZE);
    }
    return batch;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
