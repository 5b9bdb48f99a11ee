import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ACCEPTED_READINGS_TOPIC, type AcceptedReadingsEvent } from '@rpm/contracts';
import { READING_STORE } from '@rpm/platform';
import type { ReadingStore } from '@rpm/timeseries';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config';
import { OutboxRelay } from '../ingest/broker-outbox';
import { GatewayMetrics } from '../observability/gateway-metrics';
import { ReadingSpool } from './reading-spool';

const BATCH_SIZE = 5000;
const EVENT_CHUNK = 500;
const MAX_BACKOFF_MS = 2000;
/**
 * A short batch waits until its oldest reading is this old. Each drain cycle costs a store request, an
 * announcement and a checkpoint write whatever its size: draining eagerly at 1,000 readings/s ran hundreds
 * of cycles a second and held most of a core; lingering caps that at about 1000 / LINGER_MS cycles.
 */
const LINGER_MS = 10;

/**
 * Moves spooled readings to the store in batches, announces them to alerting, then releases them.
 * In that order, a crash at any point replays readings the store and alerting already have, and both
 * absorb replays; nothing acknowledged is skipped. While the store is down it retries with backoff and
 * the spool grows; past the alarm level it says so in the log and in rpm_gateway_spool_alarm.
 */
@Injectable()
export class SpoolDrainer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SpoolDrainer.name);
  private running = false;
  private loop?: Promise<void>;
  private storeHealthy = true;
  private alarmRaised = false;
  private observer?: NodeJS.Timeout;

  constructor(
    private readonly spool: ReadingSpool,
    @Inject(READING_STORE) private readonly store: ReadingStore,
    private readonly outbox: OutboxRelay,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly metrics: GatewayMetrics,
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

  /** Updates the spool gauges and raises or clears the operator alarm. */
  observe(): void {
    const stats = this.spool.stats();
    this.metrics.spoolPendingReadings.set(stats.pendingReadings);
    this.metrics.spoolPendingBytes.set(stats.pendingBytes);
    this.metrics.spoolCapacityBytes.set(stats.maxBytes);
    this.metrics.spoolOldestAgeSeconds.set(stats.oldestPendingAgeMs / 1000);
    const alarm = stats.pendingBytes >= (stats.maxBytes * this.config.spool.alarmPercent) / 100;
    this.metrics.spoolAlarm.set(alarm ? 1 : 0);
    if (alarm && !this.alarmRaised) {
      this.logger.error({
        message: 'ALARM: spool past its alarm level; the store is not taking readings fast enough',
        pendingReadings: stats.pendingReadings,
        pendingBytes: stats.pendingBytes,
        maxBytes: stats.maxBytes,
        oldestPendingAgeSeconds: Math.round(stats.oldestPendingAgeMs / 1000),
      });
    } else if (!alarm && this.alarmRaised) {
      this.logger.log({ message: 'spool back under its alarm level', pendingReadings: stats.pendingReadings });
    }
    this.alarmRaised = alarm;
  }

  private async run(): Promise<void> {
    let backoffMs = 100;
    while (this.running) {
      this.observe();
      let batch = this.spool.peek(BATCH_SIZE);
      if (batch.length === 0) {
        await Promise.race([this.spool.whenPending(), sleep(1000)]);
        continue;
      }
      const wait = LINGER_MS - (Date.now() - batch[0].appendedAt);
      if (batch.length < BATCH_SIZE && wait > 0) {
        await sleep(wait);
        batch = this.spool.peek(BATCH_SIZE);
      }
      const readings = batch.map((entry) => entry.reading);
      try {
        const stopTimer = this.metrics.storeWriteSeconds.startTimer();
        await this.store.write(readings);
        stopTimer();
        for (let start = 0; start < readings.length; start += EVENT_CHUNK) {
          const event: AcceptedReadingsEvent = { readings: readings.slice(start, start + EVENT_CHUNK) };
          await this.outbox.publish(ACCEPTED_READINGS_TOPIC, JSON.stringify(event), 1);
        }
        await this.spool.release(batch[batch.length - 1].recordNo);
        this.metrics.readingsStored.inc(readings.length);
        if (!this.storeHealthy) this.logger.log({ message: 'store reachable again; draining the spool', pending: this.spool.stats().pendingReadings });
        this.storeHealthy = true;
        backoffMs = 100;
      } catch (error) {
        this.metrics.storeWriteFailures.inc();
        if (this.storeHealthy) {
          this.logger.error({ message: 'store write failed; readings stay in the spool and are retried', error: (error as Error).message });
        }
        this.storeHealthy = false;
        await sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
