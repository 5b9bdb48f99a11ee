import { ACCEPTED_READINGS_TOPIC, deviceReadingsTopic, deviceRepliesTopic } from '@rpm/contracts';
import { connectAsync, type IClientOptions } from 'mqtt';
import { Client } from 'pg';
import { AppProcess } from '../../../../test/support/app-process';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { freePort } from '../../../../test/support/free-port';
import { TEST_INTERNAL_PASSWORD as INTERNAL_PASSWORD, gatewayEnv } from '../../../../test/support/gateway-env';
import { createTestDatabase } from '../../../../test/support/test-services';
import { waitFor } from '../../../../test/support/wait-for';

const reading = () => JSON.stringify({ metric: 'heart_rate', value: 61, unit: 'bpm', measuredAt: new Date().toISOString() });

describe('embedded broker: device identity and topic access', () => {
  let databaseUrl: string;
  let gateway: AppProcess;
  let brokerUrl: string;
  let alice: ClinicFixture;
  let bob: ClinicFixture;

  const connectAs = (username: string, password: string, extra: IClientOptions = {}) =>
    connectAsync(brokerUrl, { protocolVersion: 4, clientId: username, password, username, reconnectPeriod: 0, connectTimeout: 5000, ...extra });

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
    const underTest = await gatewayEnv(databaseUrl);
    brokerUrl = underTest.mqttUrl;
    gateway = await AppProcess.start('gateway', underTest.env, underTest.mqttPort);
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
    const topics = [deviceRepliesTopic(alice.device.deviceId), deviceRepliesTopic(bob.device.deviceId), ACCEPTED_READINGS_TOPIC, 'rpm/v1/devices/+/readings'];
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
    const underTest = await gatewayEnv(databaseUrl, {
      INFLUX_URL: `http://127.0.0.1:${await freePort()}`,
      INFLUX_TOKEN: 'token',
      SPOOL_MAX_MB: '0.002', // about five readings
    });
    const gateway = await AppProcess.start('gateway', underTest.env, underTest.mqttPort);
    try {
      const device = await connectAsync(underTest.mqttUrl, {
        protocolVersion: 4,
        clientId: clinic.device.deviceId,
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
