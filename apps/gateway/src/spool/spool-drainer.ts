import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ACCEPTED_READINGS_TOPIC, type AcceptedReadingsEvent } from '@rpm/contracts';
import { READING_STORE } from '@rpm/platform';
import { writeIsolatingRefusals, type ReadingStore } from '@rpm/timeseries';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config';
import { OutboxRelay } from '../ingest/broker-outbox';
import { GatewayMetrics } from '../observability/gateway-metrics';
import { ReadingQuarantine, type RefusedReading } from './reading-quarantine';
import { ReadingSpool, type SpoolEntry } from './reading-spool';

const BATCH_SIZE = 5000;
const EVENT_CHUNK = 500;
const MAX_BACKOFF_MS = 2000;
/**
 * A short batch waits until its oldest reading is this old. Each drain cycle costs a store request, an
 * announcement and a checkpoint write whatever its size: draining eagerly at 1,000 readings/s ran hundreds
 * of cycles a second and held most of a core; lingering caps that at about 1000 / LINGER_MS cycles.
 */
const LINGER_MS = 10;
/** A batch full of refused readings logs this many one by one, then a count. */
const LOGGED_REFUSALS = 20;

/** Why the drain is not keeping up, for readiness and the alarm; undefined while it is. */
export interface DrainStall {
  reason: string;
  secondsWithoutProgress: number;
}

/**
 * Moves spooled readings to the store in batches, announces them to alerting, then releases them.
 * In that order, a crash at any point replays readings the store and alerting already have, and both
 * absorb replays; nothing acknowledged is skipped. Readings the store refuses for their content are
 * isolated and quarantined (committed before the release), so one poison reading never holds up the
 * others. While the store is unavailable it retries with backoff and the spool grows; past the alarm
 * level, or with no progress for DRAIN_STALL_SECONDS, it says so in the log, in rpm_gateway_spool_alarm
 * and in readiness.
 */
@Injectable()
export class SpoolDrainer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SpoolDrainer.name);
  private running = false;
  private loop?: Promise<void>;
  private storeHealthy = true;
  private lastError?: string;
  private alarmRaised = false;
  private observer?: NodeJS.Timeout;
  /** Last time the drain stored or quarantined a batch, or found nothing to do. */
  private lastProgressAt = Date.now();

  constructor(
    private readonly spool: ReadingSpool,
    @Inject(READING_STORE) private readonly store: ReadingStore,
    private readonly outbox: OutboxRelay,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly metrics: GatewayMetrics,
    private readonly quarantine: ReadingQuarantine,
  ) {}

  get isStoreHealthy(): boolean {
    return this.storeHealthy;
  }

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
    // The drain loop may sit in a long backoff while the spool fills: watch it on a clock of its own.
    this.observer = setInterval(() => this.observe(), 1000);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.observer);
    this.running = false;
    await this.loop;
    await this.spool.close();
  }

  /** Set while readings are pending and none has left the spool for DRAIN_STALL_SECONDS. */
  stall(now = Date.now()): DrainStall | undefined {
    const idleMs = now - this.lastProgressAt;
    const pending = this.spool.stats().pendingReadings;
    if (pending === 0 || idleMs < this.config.spool.stallMs) return undefined;
    const seconds = Math.round(idleMs / 1000);
    return { reason: `drain stalled: no reading stored for ${seconds} s while ${pending} are pending`, secondsWithoutProgress: seconds };
  }

  /** Updates the spool gauges and raises or clears the operator alarm. */
  observe(): void {
    const stats = this.spool.stats();
    this.metrics.spoolPendingReadings.set(stats.pendingReadings);
    this.metrics.spoolPendingBytes.set(stats.pendingBytes);
    this.metrics.spoolCapacityBytes.set(stats.maxBytes);
    this.metrics.spoolOldestAgeSeconds.set(stats.oldestPendingAgeMs / 1000);
    const stall = this.stall();
    const alarm = Boolean(stall) || stats.pendingBytes >= (stats.maxBytes * this.config.spool.alarmPercent) / 100;
    this.metrics.spoolAlarm.set(alarm ? 1 : 0);
    if (alarm && !this.alarmRaised) {
      this.logger.error({
        message: stall
          ? `ALARM: ${stall.reason}; the store is not taking readings`
          : 'ALARM: spool past its alarm level; the store is not taking readings fast enough',
        pendingReadings: stats.pendingReadings,
        pendingBytes: stats.pendingBytes,
        maxBytes: stats.maxBytes,
        oldestPendingAgeSeconds: Math.round(stats.oldestPendingAgeMs / 1000),
        ...(this.lastError ? { lastError: this.lastError } : {}),
      });
    } else if (!alarm && this.alarmRaised) {
      this.logger.log({ message: 'spool back under its alarm level', pendingReadings: stats.pendingReadings });
    }
    this.alarmRaised = alarm;
  }

  /** Durable before the caller releases the batch: an error here retries the batch, like an unavailable store. */
  private async quarantineRefused(refused: RefusedReading[]): Promise<void> {
    await this.quarantine.add(refused);
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
      this.observe();
      let batch = this.spool.peek(BATCH_SIZE);
      if (batch.length === 0) {
        this.lastProgressAt = Date.now();
        await Promise.race([this.spool.whenPending(), sleep(1000)]);
        this.lastProgressAt = Date.now();
        continue;
      }
      const wait = LINGER_MS - (Date.now() - batch[0].appendedAt);
      if (batch.length < BATCH_SIZE && wait > 0) {
        await sleep(wait);
        batch = this.spool.peek(BATCH_SIZE);
      }
      try {
        const stopTimer = this.metrics.storeWriteSeconds.startTimer();
        const { stored, refused } = await writeIsolatingRefusals(batch, (entries: readonly SpoolEntry[]) =>
          this.store.write(entries.map((entry) => entry.reading)),
        );
        stopTimer();
        if (refused.length > 0) await this.quarantineRefused(refused.map(({ item, reason }) => ({ reading: item.reading, reason })));
        const readings = stored.map((entry) => entry.reading);
        for (let start = 0; start < readings.length; start += EVENT_CHUNK) {
          const event: AcceptedReadingsEvent = { readings: readings.slice(start, start + EVENT_CHUNK) };
          await this.outbox.publish(ACCEPTED_READINGS_TOPIC, JSON.stringify(event), 1);
        }
        await this.spool.release(batch[batch.length - 1].recordNo);
        this.metrics.readingsStored.inc(readings.length);
        this.lastProgressAt = Date.now();
        if (!this.storeHealthy) this.logger.log({ message: 'store reachable again; draining the spool', pending: this.spool.stats().pendingReadings });
        this.storeHealthy = true;
        this.lastError = undefined;
        backoffMs = 100;
      } catch (error) {
        this.metrics.storeWriteFailures.inc();
        this.lastError = (error as Error).message;
        if (this.storeHealthy) {
          this.logger.error({ message: 'store write failed; readings stay in the spool and are retried', error: this.lastError });
        }
        this.storeHealthy = false;
        await sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
