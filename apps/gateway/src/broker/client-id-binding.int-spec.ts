import { ACCEPTED_READINGS_TOPIC, deviceReadingsTopic, deviceRepliesTopic } from '@rpm/contracts';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { createConnection } from 'node:net';
import { AppProcess } from '../../../../test/support/app-process';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { TEST_INTERNAL_PASSWORD, gatewayEnv } from '../../../../test/support/gateway-env';
import { createTestDatabase } from '../../../../test/support/test-services';
import { waitFor } from '../../../../test/support/wait-for';

/** Readings the gateway refuses, so it answers on the device's replies topic. */
const badTimestamp = JSON.stringify({ metric: 'heart_rate', value: 61, unit: 'bpm', measuredAt: 'not a time' });
const unknownMetric = JSON.stringify({ metric: 'mood', value: 3, unit: 'stars', measuredAt: new Date().toISOString() });

const mqttString = (text: string) => {
  const bytes = Buffer.from(text);
  return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
};

/**
 * Sends an MQTT 3.1.1 CONNECT by hand (mqtt.js will not send an empty client id with clean session 0)
 * and resolves with the CONNACK return code and whether the broker then closed the connection.
 */
function rawConnect(port: number, clientId: string, username: string, password: string, clean: boolean): Promise<{ returnCode: number; closed: boolean }> {
  const flags = 0x80 | 0x40 | (clean ? 0x02 : 0);
  const body = Buffer.concat([mqttString('MQTT'), Buffer.from([4, flags, 0, 60]), mqttString(clientId), mqttString(username), mqttString(password)]);
  return new Promise((resolve, reject) => {
    const socket = createConnection(port, '127.0.0.1', () => socket.write(Buffer.concat([Buffer.from([0x10, body.length]), body])));
    let received = Buffer.alloc(0);
    socket.on('data', (chunk) => (received = Buffer.concat([received, chunk])));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('no CONNACK and no close within 5 s')));
    socket.on('close', () =>
      received[0] === 0x20 ? resolve({ returnCode: received[3], closed: true }) : reject(new Error(`no CONNACK: ${received.toString('hex')}`)),
    );
  });
}

describe('embedded broker: the MQTT client id is bound to the authenticated device', () => {
  let gateway: AppProcess;
  let brokerUrl: string;
  let brokerPort: number;
  let alice: ClinicFixture;
  let bob: ClinicFixture;

  const connectAs = (device: ClinicFixture['device'], clientId: string, extra: IClientOptions = {}) =>
    connectAsync(brokerUrl, {
      protocolVersion: 4,
      clientId,
      username: device.deviceId,
      password: device.secret,
      clean: false,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ...extra,
    });

  const repliesOf = (client: MqttClient): string[] => {
    const replies: string[] = [];
    client.on('message', (topic, payload) => replies.push(`${topic} ${payload.toString()}`));
    return replies;
  };

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    [alice, bob] = [await createClinic(databaseUrl, 'alice'), await createClinic(databaseUrl, 'bob')];
    const underTest = await gatewayEnv(databaseUrl);
    brokerUrl = underTest.mqttUrl;
    brokerPort = underTest.mqttPort;
    gateway = await AppProcess.start('gateway', underTest.env, underTest.mqttPort);
  });

  afterAll(() => gateway?.stop());

  it("refuses a device using another device's client id with CONNACK 2; the owner stays connected and keeps its session and replies", async () => {
    const bobId = bob.device.deviceId;
    let owner = await connectAs(bob.device, bobId);
    let ownerClosed = false;
    owner.on('close', () => (ownerClosed = true));
    await owner.subscribeAsync(deviceRepliesTopic(bobId), { qos: 1 });

    // Alice's valid credential with Bob's client id and clean=false: today this resumed Bob's session.
    await expect(connectAs(alice.device, bobId)).rejects.toMatchObject({ code: 2 });

    let replies = repliesOf(owner);
    await owner.publishAsync(deviceReadingsTopic(bobId), badTimestamp, { qos: 1 });
    await waitFor("Bob's reply", async () => (replies.length > 0 ? true : undefined));
    expect(replies[0]).toContain(deviceRepliesTopic(bobId));
    expect(replies[0]).toContain('invalid_payload');
    expect(ownerClosed).toBe(false);
    expect(owner.connected).toBe(true);

    // The session is still Bob's: reconnecting without subscribing again, his replies still arrive.
    await owner.endAsync();
    owner = await connectAs(bob.device, bobId);
    replies = repliesOf(owner);
    await owner.publishAsync(deviceReadingsTopic(bobId), unknownMetric, { qos: 1 });
    await waitFor("Bob's reply on the resumed session", async () => (replies.length > 0 ? true : undefined));
    expect(replies[0]).toContain('unknown_metric');
    await owner.endAsync();
  });

  it('refuses a client id other than the device id, even with the right credential', async () => {
    for (const clientId of ['mqttjs_1a2b3c4d', `${alice.device.deviceId}-2`, `service:${alice.device.deviceId}`]) {
      await expect(connectAs(alice.device, clientId, { clean: true })).rejects.toMatchObject({ code: 2 });
    }
    const device = await connectAs(alice.device, alice.device.deviceId);
    await device.endAsync();
  });

  it('refuses an empty client id with clean session 0 with CONNACK 2, as MQTT 3.1.1 requires [MQTT-3.1.3-8]', async () => {
    const { deviceId, secret } = alice.device;
    expect(await rawConnect(brokerPort, '', deviceId, secret, false)).toEqual({ returnCode: 2, closed: true });
  });

  it('accepts an internal service only under a client id starting with its user name', async () => {
    const service = { deviceId: 'service:monitor', secret: TEST_INTERNAL_PASSWORD };
    await expect(connectAs(service, bob.device.deviceId, { clean: true })).rejects.toMatchObject({ code: 2 });
    const monitor = await connectAs(service, 'service:monitor-1', { clean: true });
    await monitor.subscribeAsync(ACCEPTED_READINGS_TOPIC, { qos: 1 });
    await monitor.endAsync();
  });
});
