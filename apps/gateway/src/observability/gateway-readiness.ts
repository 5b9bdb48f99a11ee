import { Inject, Injectable } from '@nestjs/common';
import { DatabaseProbe } from '@rpm/persistence';
import { checkReadiness, databaseIndicator, type HealthIndicator } from '@rpm/platform';
import { DataSource } from 'typeorm';
import { BROKER_PUBLISHER, type BrokerPublisher } from '../broker/broker-publisher';
import { SpoolDrainer } from '../spool/spool-drainer';
import { SpoolAlarm } from './spool-alarm';

/** A spool this full refuses the next message: the gateway is not ready. */
const SPOOL_FULL_RATIO = 0.99;

/**
 * When the gateway can take readings: database up, broker listening, spool not full, drain not
 * stalled. The store may be down for a while, since the spool covers it, and says so (degraded), but
 * past DRAIN_STALL_SECONDS without progress the gateway is not ready.
 */
@Injectable()
export class GatewayReadiness {
  private readonly indicators: HealthIndicator[];

  constructor(@Inject(DataSource) dataSource: DataSource, @Inject(BROKER_PUBLISHER) broker: BrokerPublisher, drainer: SpoolDrainer, alarm: SpoolAlarm) {
    this.indicators = [
      databaseIndicator(() => new DatabaseProbe(dataSource).ping()),
      { name: 'broker', check: () => (broker.isUp ? { up: true } : { up: false, reason: 'broker not listening' }) },
      { name: 'store', critical: false, check: () => ({ up: drainer.isStoreHealthy }) },
      {
        name: 'spool',
        check: () => {
          const { pendingReadings, pendingBytes, maxBytes } = alarm.state().stats;
          const full = pendingBytes >= maxBytes * SPOOL_FULL_RATIO;
          return { up: !full, reason: 'spool full', report: { pendingReadings, pendingBytes, maxBytes, full } };
        },
      },
      {
        name: 'drain',
        check: () => {
          const stall = alarm.stall();
          return stall
            ? { up: false, reason: stall.reason, report: { stalled: true, secondsWithoutProgress: stall.secondsWithoutProgress } }
            : { up: true, report: { stalled: false } };
        },
      },
    ];
  }

  /** The GET /health/ready answer: 200 when ready ('ok', or 'degraded' while the store is down), else 503 with the reasons. */
  async answer(): Promise<{ status: number; body: unknown }> {
    const { ready, degraded, reasons, checks } = await checkReadiness(this.indicators);
    return {
      status: ready ? 200 : 503,
      body: {
        status: ready ? (degraded ? 'degraded' : 'ok') : 'unavailable',
        ...(ready ? {} : { reason: reasons.join('; ') }),
        checks,
      },
    };
  }
}
