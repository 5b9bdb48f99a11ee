import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config';
import { ReadingSpool, type SpoolStats } from '../spool/reading-spool';
import { SpoolDrainer } from '../spool/spool-drainer';
import { GatewayMetrics } from './gateway-metrics';

/** Why the drain is not keeping up, for readiness and the alarm; undefined while it is. */
export interface DrainStall {
  reason: string;
  secondsWithoutProgress: number;
}

export interface SpoolAlarmState {
  stats: SpoolStats;
  stall?: DrainStall;
  /** The spool is past SPOOL_ALARM_PERCENT or the drain has stalled: the store is not keeping up. */
  raised: boolean;
}

/**
 * The operator alarm on the spool: raised while the spool is past its alarm level (SPOOL_ALARM_PERCENT)
 * or the drain has made no progress for DRAIN_STALL_SECONDS with readings pending. It watches on a clock
 * of its own (the drain may sit in a long backoff while the spool fills) and logs when the alarm is
 * raised and when it clears. Reading it (state(), the spool gauges a scrape collects) changes nothing
 * and logs nothing.
 */
@Injectable()
export class SpoolAlarm implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SpoolAlarm.name);
  private raised = false;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly spool: ReadingSpool,
    private readonly drainer: SpoolDrainer,
    metrics: GatewayMetrics,
  ) {
    const stats = () => this.spool.stats();
    metrics.spoolPendingReadings.setSource(() => stats().pendingReadings);
    metrics.spoolPendingBytes.setSource(() => stats().pendingBytes);
    metrics.spoolCapacityBytes.setSource(() => stats().maxBytes);
    metrics.spoolOldestAgeSeconds.setSource(() => stats().oldestPendingAgeMs / 1000);
    metrics.spoolAlarm.setSource(() => (this.state().raised ? 1 : 0));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.watch(), 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Set while readings are pending and none has left the spool for DRAIN_STALL_SECONDS. */
  stall(now = Date.now(), stats = this.spool.stats()): DrainStall | undefined {
    const idleMs = now - this.drainer.lastProgressAt;
    if (stats.pendingReadings === 0 || idleMs < this.config.spool.stallMs) return undefined;
    const seconds = Math.round(idleMs / 1000);
    return { reason: `drain stalled: no reading stored for ${seconds} s while ${stats.pendingReadings} are pending`, secondsWithoutProgress: seconds };
  }

  state(now = Date.now()): SpoolAlarmState {
    const stats = this.spool.stats();
    const stall = this.stall(now, stats);
    const raised = Boolean(stall) || stats.pendingBytes >= (stats.maxBytes * this.config.spool.alarmPercent) / 100;
    return { stats, stall, raised };
  }

  /** Logs the alarm when it is raised and when it clears, once each. */
  watch(): void {
    const { stats, stall, raised } = this.state();
    if (raised && !this.raised) {
      const lastError = this.drainer.lastError;
      this.logger.error({
        message: stall
          ? `ALARM: ${stall.reason}; the store is not taking readings`
          : 'ALARM: spool past its alarm level; the store is not taking readings fast enough',
        pendingReadings: stats.pendingReadings,
        pendingBytes: stats.pendingBytes,
        maxBytes: stats.maxBytes,
        oldestPendingAgeSeconds: Math.round(stats.oldestPendingAgeMs / 1000),
        ...(lastError ? { lastError } : {}),
      });
    } else if (!raised && this.raised) {
      this.logger.log({ message: 'spool back under its alarm level', pendingReadings: stats.pendingReadings });
    }
    this.raised = raised;
  }
}
