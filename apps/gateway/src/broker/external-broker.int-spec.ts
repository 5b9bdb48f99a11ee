import { deviceReadingsTopic, deviceRepliesTopic } from '@rpm/contracts';
import { connectAsync } from 'mqtt';
import { Client } from 'pg';
import { AppProcess } from '../../../../test/support/app-process';
import { DeviceFleet, readingKey, registerDevices } from '../../../../test/support/device-fleet';
import { createClinic } from '../../../../test/support/fixtures';
import { gatewayEnv } from '../../../../test/support/gateway-env';
import { MosquittoServer } from '../../../../test/support/mosquitto-server';
import { createTestDatabase } from '../../../../test/support/test-services';
import { waitFor } from '../../../../test/support/wait-for';

const DEVICES = 20;
const READINGS_PER_DEVICE = 100;

function metric(text: string, sample: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : NaN;
}

describe('external-broker mode: two gateways share the load on Mosquitto', () => {
  it('stores every reading exactly once, across a kill -9 of one gateway, and Mosquitto enforces device ACLs', async () => {
    const databaseUrl = await createTestDatabase();
    const clinic = await createClinic(databaseUrl, 'external');
    const devices = await registerDevices(databaseUrl, clinic.patientId, DEVICES);
    const gatewayUser = { username: 'rpm-gateway', password: 'gateway-secret' };
    const mosquitto = await MosquittoServer.start(
      gatewayUser,
      devices.map((device) => ({ username: device.deviceId, password: device.secret })),
    );
    const external = {
      MQTT_MODE: 'external',
      MQTT_URL: mosquitto.internalUrl,
      MQTT_USERNAME: gatewayUser.username,
      MQTT_PASSWORD: gatewayUser.password,
      MQTT_SHARE_GROUP: 'rpm-gateway-test',
    };
    const [a, b] = [
      await gatewayEnv(databaseUrl, { ...external, MQTT_CLIENT_ID: 'gateway-a' }),
      await gatewayEnv(databaseUrl, { ...external, MQTT_CLIENT_ID: 'gateway-b' }),
    ];
    const startGateway = async (underTest: typeof a) => {
      const port = Number(new URL(underTest.httpUrl).port);
      return AppProcess.start('gateway', underTest.env, port);
    };
    let gatewayA = await startGateway(a);
    const gatewayB = await startGateway(b);
    const fleet = await DeviceFleet.connect(mosquitto.url, devices);
    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    try {
      const streaming = fleet.publish(READINGS_PER_DEVICE, 20);
      await new Promise((resolve) => setTimeout(resolve, 700));
      await gatewayA.stop('SIGKILL');
      gatewayA = await startGateway(a);
      await streaming;

      // A device may not publish as another: Mosquitto's ACL drops it, so it is never stored.
      const impostor = await connectAsync(mosquitto.url, {
        protocolVersion: 4,
        clientId: devices[0].deviceId,
        username: devices[0].deviceId,
        password: devices[0].secret,
        reconnectPeriod: 0,
      });
      await impostor.publishAsync(deviceReadingsTopic(devices[1].deviceId), JSON.stringify({ ...fleet.reading(9999), seq: 9999 }), { qos: 1 });
      await impostor.endAsync();

      const total = DEVICES * READINGS_PER_DEVICE;
      const rows = await waitFor(
        'every reading in the store',
        async () => {
          const { rows } = await sql.query<{ device_id: string; seq: string }>('SELECT device_id, seq FROM readings WHERE patient_id = $1', [clinic.patientId]);
          return rows.length >= total ? rows : undefined;
        },
        60_000,
        250,
      );
      const keys = rows.map((row) => readingKey(row.device_id, Number(row.seq)));
      expect(keys).toHaveLength(total);
      expect(new Set(keys)).toEqual(fleet.acknowledged);
      expect(keys).not.toContain(readingKey(devices[1].deviceId, 9999));

      const [metricsA, metricsB] = await Promise.all([a, b].map(async (underTest) => (await fetch(`${underTest.httpUrl}/metrics`)).text()));
      const acceptedByB = metric(metricsB, 'rpm_gateway_readings_accepted_total');
      expect(acceptedByB).toBeGreaterThan(0);
      expect(metric(metricsA, 'rpm_gateway_readings_accepted_total')).toBeGreaterThan(0);
      expect(acceptedByB).toBeLessThan(total);
    } finally {
      await sql.end();
      await fleet.close();
      await Promise.all([gatewayA.stop(), gatewayB.stop()]);
      await mosquitto.stop();
    }
  }, 120_000);
});

describe('external-broker mode: Mosquitto binds the client id to the device', () => {
  it("a device using another device's client id cannot take over its session: the owner stays connected and keeps its replies", async () => {
    const [alice, bob] = [
      { deviceId: 'alice-meter', secret: 'alice-secret' },
      { deviceId: 'bob-meter', secret: 'bob-secret' },
    ];
    const gatewayUser = { username: 'rpm-gateway', password: 'gateway-secret' };
    const mosquitto = await MosquittoServer.start(
      gatewayUser,
      [alice, bob].map((device) => ({ username: device.deviceId, password: device.secret })),
    );
    const connectAs = (device: typeof alice, clientId: string) =>
      connectAsync(mosquitto.url, { protocolVersion: 4, clientId, username: device.deviceId, password: device.secret, clean: false, reconnectPeriod: 0 });
    try {
      const owner = await connectAs(bob, bob.deviceId);
      let ownerClosed = false;
      owner.on('close', () => (ownerClosed = true));
      await owner.subscribeAsync(deviceRepliesTopic(bob.deviceId), { qos: 1 });
      const replies: string[] = [];
      owner.on('message', (_topic, payload) => replies.push(payload.toString()));

      // Mosquitto replaces the client id by the username on the devices' listener: Alice gets her own session.
      const impostor = await connectAs(alice, bob.deviceId);
      const gateway = await connectAsync(mosquitto.internalUrl, { protocolVersion: 4, clientId: 'gateway-a', ...gatewayUser, reconnectPeriod: 0 });
      await gateway.publishAsync(deviceRepliesTopic(bob.deviceId), '{"status":"rejected"}', { qos: 1 });
      await waitFor("Bob's reply", async () => (replies.length > 0 ? true : undefined));
      expect(ownerClosed).toBe(false);
      expect(owner.connected).toBe(true);
      await Promise.all([impostor.endAsync(), owner.endAsync(), gateway.endAsync()]);
    } finally {
      await mosquitto.stop();
    }
  });
});
