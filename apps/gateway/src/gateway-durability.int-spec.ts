import type { NormalizedReading } from '@rpm/contracts';
import { InfluxReadingStore } from '@rpm/timeseries';
import { AppProcess } from '../../../test/support/app-process';
import { DeviceFleet, readingKey, registerDevices } from '../../../test/support/device-fleet';
import { createClinic } from '../../../test/support/fixtures';
import { gatewayEnv } from '../../../test/support/gateway-env';
import { InfluxdServer } from '../../../test/support/influxd-server';
import { createTestDatabase, testServices, uniqueInfluxDatabase } from '../../../test/support/test-services';
import { waitFor } from '../../../test/support/wait-for';

const DEVICES = 100;
const READINGS_PER_DEVICE = 100;
const KILLS = 5;
/** The issue asks for 60 s; OUTAGE_SECONDS shortens it while working on the drain path. */
const OUTAGE_SECONDS = Number(process.env.OUTAGE_SECONDS ?? 60);

async function pendingInSpool(gatewayHttpUrl: string): Promise<number> {
  const metrics = await (await fetch(`${gatewayHttpUrl}/metrics`)).text();
  const line = metrics.split('\n').find((candidate) => candidate.startsWith('rpm_gateway_spool_pending_readings '));
  return Number(line?.split(' ')[1]);
}

async function storedKeys(store: InfluxReadingStore, patientId: string): Promise<{ keys: string[]; rows: NormalizedReading[] }> {
  const rows = await store.query({ patientId, from: new Date(0), to: new Date(Date.now() + 3600_000), limit: 100_000 });
  return { rows, keys: rows.map((row) => readingKey(row.deviceId, row.seq!)) };
}

describe('gateway durability against real InfluxDB', () => {
  it(`loses no acknowledged reading and stores none twice across ${KILLS} kill -9 of the gateway during ${DEVICES * READINGS_PER_DEVICE} readings from ${DEVICES} devices`, async () => {
    const databaseUrl = await createTestDatabase();
    const clinic = await createClinic(databaseUrl, 'crash');
    const devices = await registerDevices(databaseUrl, clinic.patientId, DEVICES);
    const influx = { INFLUX_URL: testServices().influxUrl, INFLUX_DATABASE: uniqueInfluxDatabase() };
    const underTest = await gatewayEnv(databaseUrl, { ...influx, DEVICE_MAX_MESSAGES_PER_SECOND: '1000' });
    let gateway = await AppProcess.start('gateway', underTest.env, underTest.mqttPort);
    const fleet = await DeviceFleet.connect(underTest.mqttUrl, devices);
    const store = new InfluxReadingStore({ url: influx.INFLUX_URL, database: influx.INFLUX_DATABASE });
    try {
      const streaming = fleet.publish(READINGS_PER_DEVICE, 40);
      for (let kill = 0; kill < KILLS; kill++) {
        await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 900));
        await gateway.stop('SIGKILL');
        gateway = await AppProcess.start('gateway', underTest.env, underTest.mqttPort);
      }
      await streaming;
      expect(fleet.acknowledged.size).toBe(DEVICES * READINGS_PER_DEVICE);

      const { keys, rows } = await waitFor(
        'every acknowledged reading in InfluxDB',
        async () => {
          const stored = await storedKeys(store, clinic.patientId);
          return stored.keys.length >= fleet.acknowledged.size ? stored : undefined;
        },
        60_000,
        500,
      );
      const missing = [...fleet.acknowledged].filter((key) => !keys.includes(key));
      expect(missing).toEqual([]);
      expect(new Set(keys).size).toBe(keys.length);
      expect(rows).toHaveLength(DEVICES * READINGS_PER_DEVICE);
    } finally {
      await fleet.close();
      await gateway.stop();
    }
  }, 180_000);

  it(`keeps acknowledging through a ${OUTAGE_SECONDS} s InfluxDB outage, loses nothing, and drains the backlog when it returns`, async () => {
    const influxd = await InfluxdServer.start();
    const databaseUrl = await createTestDatabase();
    const clinic = await createClinic(databaseUrl, 'outage');
    const devices = await registerDevices(databaseUrl, clinic.patientId, 20);
    const influx = { INFLUX_URL: influxd.url, INFLUX_DATABASE: 'rpm' };
    // An outage shorter than DRAIN_STALL_SECONDS is the spool's job: ready, degraded. Longer is a stalled drain (503).
    const underTest = await gatewayEnv(databaseUrl, { ...influx, DRAIN_STALL_SECONDS: String(OUTAGE_SECONDS * 3) });
    const gateway = await AppProcess.start('gateway', underTest.env, underTest.mqttPort);
    const fleet = await DeviceFleet.connect(underTest.mqttUrl, devices);
    const store = new InfluxReadingStore({ url: influx.INFLUX_URL, database: influx.INFLUX_DATABASE });
    try {
      // 20 devices, one reading every 200 ms each: about 100 readings/s for 75 s.
      const streaming = fleet.publish(375, 200);
      await new Promise((resolve) => setTimeout(resolve, 5000));
      await influxd.halt();
      const outageStarted = Date.now();
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_SECONDS * 1000));
      const acknowledgedDuringOutage = fleet.acknowledged.size;
      const health = (await (await fetch(`${underTest.httpUrl}/health/ready`)).json()) as { status: string; checks: { store: string } };
      const backlog = await pendingInSpool(underTest.httpUrl);
      await influxd.resume();
      const restored = Date.now();
      // Devices keep sending about 100 readings/s: the backlog is drained once the spool is back to that.
      await waitFor('the backlog drained', async () => ((await pendingInSpool(underTest.httpUrl)) < 100 ? true : undefined), 60_000, 20);
      const drainedMs = Date.now() - restored;
      await streaming;
      await waitFor(
        'every acknowledged reading in InfluxDB',
        async () => ((await storedKeys(store, clinic.patientId)).keys.length >= fleet.acknowledged.size ? true : undefined),
        60_000,
        200,
      );
      const { keys } = await storedKeys(store, clinic.patientId);
      process.stdout.write(
        `outage figures: ${acknowledgedDuringOutage} readings acknowledged by ${Math.round((restored - outageStarted) / 1000)} s into the outage; ` +
          `backlog of ${backlog} readings drained ${drainedMs} ms after InfluxDB returned; ${fleet.acknowledged.size} acknowledged in all; ` +
          `lost ${[...fleet.acknowledged].filter((key) => !keys.includes(key)).length}, duplicates ${keys.length - new Set(keys).size}\n`,
      );
      expect(health).toEqual(expect.objectContaining({ status: 'degraded', checks: expect.objectContaining({ store: 'down' }) }));
      expect(acknowledgedDuringOutage).toBeGreaterThan(OUTAGE_SECONDS * 80);
      expect([...fleet.acknowledged].filter((key) => !keys.includes(key))).toEqual([]);
      expect(new Set(keys).size).toBe(keys.length);
    } finally {
      await fleet.close();
      await gateway.stop();
      await influxd.stop();
    }
  }, 240_000);
});
