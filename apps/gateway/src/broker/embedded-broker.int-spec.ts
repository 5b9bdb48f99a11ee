import { ACCEPTED_READINGS_TOPIC, deviceReadingsTopic, deviceRepliesTopic } from '@rpm/contracts';
import { connectAsync, type IClientOptions } from 'mqtt';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { AppProcess } from '../../../../test/support/app-process';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { freePort } from '../../../../test/support/free-port';
import { createTestDatabase } from '../../../../test/support/test-services';
import { waitFor } from '../../../../test/support/wait-for';

const INTERNAL_PASSWORD = 'internal-secret-for-tests';

/** What every gateway under test needs besides its database: its own ports and spool directory. */
async function gatewayEnv(databaseUrl: string, mqttPort: number): Promise<Record<string, string>> {
  return {
    DATABASE_URL: databaseUrl,
    MQTT_HOST: '127.0.0.1',
    MQTT_PORT: String(mqttPort),
    GATEWAY_HTTP_HOST: '127.0.0.1',
    GATEWAY_HTTP_PORT: String(await freePort()),
    SPOOL_DIR: await mkdtemp(path.join(tmpdir(), 'rpm-spool-')),
    INTERNAL_MQTT_PASSWORD: INTERNAL_PASSWORD,
  };
}
const reading = () => JSON.stringify({ metric: 'heart_rate', value: 61, unit: 'bpm', measuredAt: new Date().toISOString() });

describe('embedded broker: device identity and topic access', () => {
  let databaseUrl: string;
  let gateway: AppProcess;
  let brokerUrl: string;
  let alice: ClinicFixture;
  let bob: ClinicFixture;

  const connectAs = (username: string, password: string, extra: IClientOptions = {}) =>
    connectAsync(brokerUrl, { protocolVersion: 4, username, password, reconnectPeriod: 0, connectTimeout: 5000, ...extra });

  const storedReadings = async (deviceId: string): Promise<number> => {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT count(*)::int AS n FROM readings WHERE device_id = $1', [deviceId]);
      return rows[0].n;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    [alice, bob] = [await createClinic(databaseUrl, 'alice'), await createClinic(databaseUrl, 'bob')];
    const port = await freePort();
    brokerUrl = `mqtt://127.0.0.1:${port}`;
    gateway = await AppProcess.start('gateway', await gatewayEnv(databaseUrl, port), port);
  });

  afterAll(() => gateway?.stop());

  it('refuses a wrong secret, an unknown device and a missing password with CONNACK 4 (bad user name or password)', async () => {
    for (const [username, password] of [
      [alice.device.deviceId, 'not-the-secret'],
      ['no-such-device', 'whatever'],
      [alice.device.deviceId, ''],
    ]) {
      await expect(connectAs(username, password)).rejects.toMatchObject({ code: 4 });
    }
  });

  it('refuses a revoked device', async () => {
    const revoked = await createClinic(databaseUrl, 'revoked');
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query('UPDATE devices SET revoked_at = now() WHERE id = $1', [revoked.device.deviceId]);
    await client.end();
    await expect(connectAs(revoked.device.deviceId, revoked.device.secret)).rejects.toMatchObject({ code: 4 });
  });

  it("disconnects a device that publishes to another device's topic and stores nothing", async () => {
    const device = await connectAs(alice.device.deviceId, alice.device.secret);
    const closed = new Promise<void>((resolve) => device.once('close', () => resolve()));
    device.publish(deviceReadingsTopic(bob.device.deviceId), reading(), { qos: 1 });
    await closed;
    device.end(true);
    expect(await storedReadings(bob.device.deviceId)).toBe(0);
  });

  it("grants a device its own reply topic only: not another device's replies, not internal events", async () => {
    const device = await connectAs(alice.device.deviceId, alice.device.secret);
    const topics = [
      deviceRepliesTopic(alice.device.deviceId),
      deviceRepliesTopic(bob.device.deviceId),
      ACCEPTED_READINGS_TOPIC,
      'rpm/v1/devices/+/readings',
    ];
    // SUBACK return code 0x80 is "failure" [MQTT-3.9.3]; mqtt.js reports it as an error beside the packet.
    const granted = await new Promise<number[]>((resolve) =>
      device.subscribe(topics, { qos: 1 }, (_error, _grants, suback) => resolve((suback?.granted ?? []) as number[])),
    );
    expect(granted).toEqual([1, 128, 128, 128]);
    await device.endAsync();
  });

  it('lets an internal service with the shared secret receive stored readings, and refuses a wrong one', async () => {
    await expect(connectAs('service:alerting', 'wrong-secret-wrong-secret')).rejects.toMatchObject({ code: 4 });
    const service = await connectAs('service:test', INTERNAL_PASSWORD);
    await service.subscribeAsync(ACCEPTED_READINGS_TOPIC, { qos: 1 });
    const event = new Promise<Buffer>((resolve) => service.once('message', (_topic, payload) => resolve(payload)));

    const device = await connectAs(alice.device.deviceId, alice.device.secret);
    await device.publishAsync(deviceReadingsTopic(alice.device.deviceId), reading(), { qos: 1 });
    const announced = JSON.parse((await event).toString());
    expect(announced.readings).toEqual([
      expect.objectContaining({ deviceId: alice.device.deviceId, patientId: alice.patientId, metric: 'heart_rate', values: { value: 61 } }),
    ]);
    expect(await storedReadings(alice.device.deviceId)).toBe(1);
    await Promise.all([device.endAsync(), service.endAsync()]);
  });
});

describe('embedded broker: PUBACK means spooled on disk', () => {
  it('keeps acknowledging while the store is down, and refuses without PUBACK once the spool is full', async () => {
    const databaseUrl = await createTestDatabase();
    const clinic = await createClinic(databaseUrl, 'outage');
    const [port, deadInfluxPort] = [await freePort(), await freePort()];
    const gateway = await AppProcess.start(
      'gateway',
      {
        ...(await gatewayEnv(databaseUrl, port)),
        INFLUX_URL: `http://127.0.0.1:${deadInfluxPort}`,
        INFLUX_TOKEN: 'token',
        SPOOL_MAX_MB: '0.002', // about five readings
      },
      port,
    );
    try {
      const device = await connectAsync(`mqtt://127.0.0.1:${port}`, {
        protocolVersion: 4,
        username: clinic.device.deviceId,
        password: clinic.device.secret,
        reconnectPeriod: 0,
      });
      const closed = new Promise<void>((resolve) => device.once('close', () => resolve()));
      let acknowledged = 0;
      for (let n = 0; n < 20 && device.connected; n++) {
        const acked = await Promise.race([
          device.publishAsync(deviceReadingsTopic(clinic.device.deviceId), reading(), { qos: 1 }).then(() => true),
          closed.then(() => false),
        ]);
        if (acked) acknowledged++;
        else break;
      }
      await closed;
      expect(acknowledged).toBeGreaterThanOrEqual(3);
      expect(acknowledged).toBeLessThan(20);
      await waitFor('the operator alarm', async () => (gateway.log.includes('ALARM: spool past its alarm level') ? true : undefined));
      device.end(true);
    } finally {
      await gateway.stop();
    }
  });
});
