import { Logger } from '@nestjs/common';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { GatewayConfig } from '../gateway.config';
import { ReadingSpool } from '../spool/reading-spool';
import type { SpoolDrainer } from '../spool/spool-drainer';
import { GatewayMetrics } from './gateway-metrics';
import { SpoolAlarm } from './spool-alarm';
import { spooledReading as reading } from '../spool/reading-spool.fixture';

const gauge = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);

describe('SpoolAlarm: a Prometheus scrape reads the alarm and logs nothing', () => {
  let dir: string;
  let spool: ReadingSpool;
  const logged: string[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rpm-spool-'));
    spool = await ReadingSpool.open({ dir, maxBytes: 64 * 1024, segmentBytes: 16 * 1024 });
    logged.length = 0;
    for (const level of ['log', 'warn', 'error', 'debug', 'verbose', 'fatal'] as const) {
      jest.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => void logged.push(`${level}: ${JSON.stringify(args[0])}`));
    }
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await spool.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports the stalled drain on /metrics without a log line; only the alarm watch logs it, once', async () => {
    await spool.append([reading(1), reading(2)]);
    const config = { spool: { stallMs: 2000, alarmPercent: 80 } } as GatewayConfig;
    // A drain with no progress for a minute and readings pending: stalled.
    const drainer = { lastProgressAt: Date.now() - 60_000, lastError: 'store unreachable' } as SpoolDrainer;
    const metrics = new GatewayMetrics();
    const alarm = new SpoolAlarm(config, spool, drainer, metrics);

    for (let scrape = 0; scrape < 3; scrape++) {
      const text = await metrics.registry.metrics();
      expect(gauge(text, 'rpm_gateway_spool_alarm')).toBe(1);
      expect(gauge(text, 'rpm_gateway_spool_pending_readings')).toBe(2);
    }
    expect(alarm.state()).toEqual(expect.objectContaining({ raised: true, stall: expect.objectContaining({ secondsWithoutProgress: 60 }) }));
    expect(logged).toEqual([]);

    alarm.watch();
    alarm.watch();
    expect(logged).toEqual([expect.stringMatching(/^error: .*ALARM: drain stalled: no reading stored for 60 s while 2 are pending/)]);
    await metrics.registry.metrics();
    expect(logged).toHaveLength(1);
  });
});
