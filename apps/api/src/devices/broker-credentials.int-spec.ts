import { deviceReadingsTopic, deviceReceiptSchema, deviceReceiptsTopic, type DeviceReceipt } from '@rpm/contracts';
import { DynsecClient, deviceRoleName } from '@rpm/platform';
import { connectAsync, type MqttClient } from 'mqtt';
import { Client } from 'pg';
import { ApiClient } from '../../../../test/support/api-client';
import { AppProcess } from '../../../../test/support/app-process';
import { gatewayEnv } from '../../../../test/support/gateway-env';
import { startApiInProcess } from '../../../../test/support/api-in-process';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { MosquittoServer } from '../../../../test/support/mosquitto-server';
import { createTestDatabase } from '../../../../test/support/test-services';
import { waitFor } from '../../../../test/support/wait-for';
import { BrokerCredentials } from './broker-credentials';

const admin = { username: 'rpm-dynsec-admin', password: 'admin-secret-for-tests' };
const gateway = { username: 'rpm-gateway', password: 'gateway-secret-for-tests' };

interface Credential {
  deviceId: string;
  secret: string;
}

/**
 * External broker mode with Mosquitto's dynamic-security plugin (a real Mosquitto 2 on free ports): the
 * API creates a broker client as it issues a device credential, deletes it on revocation, and reconciles
 * at start. No password or ACL file is edited at any point.
 */
describe('device credentials kept in step with Mosquitto dynamic security', () => {
  let databaseUrl: string;
  let broker: MosquittoServer;
  let api: Awaited<ReturnType<typeof startApiInProcess>>;
  let clinic: ClinicFixture;
  let doctor: ApiClient;
  let platform: MqttClient;
  const received: string[] = [];
  const open: MqttClient[] = [];

  const startApi = () =>
    startApiInProcess(databaseUrl, {
      BROKER_DYNSEC: 'on',
      BROKER_DYNSEC_URL: broker.internalUrl,
      BROKER_DYNSEC_USERNAME: admin.username,
      BROKER_DYNSEC_PASSWORD: admin.password,
    });

  const connectDevice = async (credential: Credential) => {
    const client = await connectAsync(broker.url, {
      protocolVersion: 5,
      username: credential.deviceId,
      password: credential.secret,
      reconnectPeriod: 0,
      connectTimeout: 3000,
    });
    open.push(client);
    return client;
  };

  const register = async (): Promise<Credential> => {
    const response = await doctor.post<Credential>(`/patients/${clinic.patientId}/devices`, { kind: 'blood_pressure_cuff' });
    expect(response.status).toBe(201);
    return response.body;
  };

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    clinic = await createClinic(databaseUrl, 'dynsec');
    broker = await MosquittoServer.startWithDynamicSecurity(admin, gateway);
    api = await startApi();
    doctor = await ApiClient.login(api.httpUrl, clinic.doctor.email, clinic.doctor.password);
    // Stands in for the gateway on the internal listener: what reaches it is what devices got through.
    platform = await connectAsync(broker.internalUrl, { protocolVersion: 5, clientId: 'test-gateway', ...gateway });
    platform.on('message', (topic, payload) => received.push(`${topic} ${payload.toString()}`));
    await platform.subscribeAsync('rpm/v1/devices/+/readings', { qos: 1 });
  }, 60_000);

  afterAll(async () => {
    for (const client of open) client.end(true);
    await platform?.endAsync(true);
    await api?.close();
    await broker?.stop();
  });

  it('lets a newly registered device publish its readings within seconds, and nothing else', async () => {
    const started = Date.now();
    const device = await register();
    const client = await connectDevice(device);
    await client.publishAsync(`rpm/v1/devices/${device.deviceId}/readings`, 'own', { qos: 1 });
    await waitFor('the reading at the platform', async () => received.includes(`rpm/v1/devices/${device.deviceId}/readings own`) || undefined);
    expect(Date.now() - started).toBeLessThan(5000);

    await client.subscribeAsync(`rpm/v1/devices/${device.deviceId}/replies`, { qos: 1 });
    await client.subscribeAsync(`rpm/v1/devices/${device.deviceId}/receipts`, { qos: 1 });
    // Another device's topics: the broker's ACL refuses (MQTT 5 reason 0x87 Not authorized).
    await expect(client.publishAsync(`rpm/v1/devices/${clinic.device.deviceId}/readings`, 'forged', { qos: 1 })).rejects.toThrow(/Not authorized/);
    await expect(client.subscribeAsync(`rpm/v1/devices/${clinic.device.deviceId}/replies`, { qos: 1 })).rejects.toThrow(/Not authorized/);
    await expect(client.subscribeAsync('rpm/v1/devices/+/readings', { qos: 1 })).rejects.toThrow(/Not authorized/);
    expect(received.some((line) => line.endsWith('forged'))).toBe(false);
  });

  it('lets a device paired with a one-time code connect, and refuses a wrong secret', async () => {
    const code = await doctor.post<{ code: string }>(`/patients/${clinic.patientId}/pairing-codes`, { kind: 'glucose_meter' });
    const claimed = await ApiClient.anonymous(api.httpUrl).post<Credential>('/pairing/claim', { code: code.body.code });
    expect(claimed.status).toBe(201);
    const client = await connectDevice(claimed.body);
    await client.publishAsync(`rpm/v1/devices/${claimed.body.deviceId}/readings`, 'paired', { qos: 1 });
    await waitFor('the paired reading', async () => received.includes(`rpm/v1/devices/${claimed.body.deviceId}/readings paired`) || undefined);
    await expect(connectDevice({ deviceId: claimed.body.deviceId, secret: 'not-the-secret' })).rejects.toThrow(/Not authorized|Bad User Name or Password/);
  });

  it('disconnects a revoked device at once and refuses it afterwards', async () => {
    const device = await register();
    const client = await connectDevice(device);
    const disconnected = new Promise<number | undefined>((resolve) => client.once('disconnect', (packet) => resolve(packet.reasonCode)));
    const started = Date.now();
    expect((await doctor.post(`/patients/${clinic.patientId}/devices/${device.deviceId}/revoke`)).status).toBe(200);
    // 0x98: administrative action (dynsec deleteClient).
    expect(await disconnected).toBe(0x98);
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(connectDevice(device)).rejects.toThrow(/Not authorized/);
  });

  it('with the gateway in external mode, a newly registered device has its reading stored and receipted, no file edited', async () => {
    const underTest = await gatewayEnv(databaseUrl, {
      MQTT_MODE: 'external',
      MQTT_URL: broker.internalUrl,
      MQTT_USERNAME: gateway.username,
      MQTT_PASSWORD: gateway.password,
      MQTT_CLIENT_ID: 'gateway-dynsec',
    });
    const gatewayProcess = await AppProcess.start('gateway', underTest.env, Number(new URL(underTest.httpUrl).port));
    try {
      const device = await register();
      const client = await connectDevice(device);
      const receipts: DeviceReceipt[] = [];
      client.on('message', (topic, payload) => {
        if (topic === deviceReceiptsTopic(device.deviceId)) receipts.push(deviceReceiptSchema.parse(JSON.parse(payload.toString())));
      });
      await client.subscribeAsync(deviceReceiptsTopic(device.deviceId), { qos: 1 });
      const reading = { metric: 'blood_pressure', systolic: 128, diastolic: 82, pulse: 71, unit: 'mmHg', measuredAt: new Date().toISOString(), seq: 1 };
      await client.publishAsync(deviceReadingsTopic(device.deviceId), JSON.stringify(reading), { qos: 1 });
      const receipt = await waitFor('the receipt', async () => receipts[0], 15_000);
      expect(receipt).toMatchObject({ storedNew: 1, alreadyStored: 0, quarantined: 0 });
      // Sent again (a lost PUBACK, say): stored once, and the receipt says so.
      await client.publishAsync(deviceReadingsTopic(device.deviceId), JSON.stringify(reading), { qos: 1 });
      expect(await waitFor('the second receipt', async () => receipts[1], 15_000)).toMatchObject({ storedNew: 0, alreadyStored: 1 });
    } finally {
      await gatewayProcess.stop();
    }
  }, 60_000);

  it('reconciles at start: revoked and unknown clients go, a malformed one is skipped, active ones stay', async () => {
    const kept = await register();
    const revokedWhileDown = await register();
    await api.close();
    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    await sql.query('UPDATE devices SET revoked_at = now() WHERE id = $1', [revokedWhileDown.deviceId]);
    await sql.end();
    const dynsec = new DynsecClient({ url: broker.internalUrl, ...admin });
    const stale = 'stale-device-never-registered';
    const malformed = 'not a device id';
    await dynsec.send([
      { command: 'createRole', rolename: deviceRoleName(stale) },
      { command: 'createClient', username: stale, password: 'x', roles: [{ rolename: deviceRoleName(stale) }] },
      { command: 'createRole', rolename: deviceRoleName(malformed) },
      { command: 'createClient', username: malformed, password: 'x', roles: [{ rolename: deviceRoleName(malformed) }] },
    ]);

    api = await startApi();
    const outcome = await api.app.get(BrokerCredentials).reconcileSoon();
    const [listed] = await dynsec.send([{ command: 'listClients', verbose: false, count: 1000, offset: 0 }]);
    await dynsec.close();
    const usernames = (listed.data as { clients: string[] }).clients;

    expect(usernames).toEqual(expect.arrayContaining([kept.deviceId, admin.username, gateway.username, malformed]));
    expect(usernames).not.toContain(revokedWhileDown.deviceId);
    expect(usernames).not.toContain(stale);
    expect(outcome.failed).toBe(1);
    // The fixture's device went straight into PostgreSQL: active, but the broker never had its secret.
    expect(outcome.missing).toContain(clinic.device.deviceId);
    const client = await connectDevice(kept);
    await client.publishAsync(`rpm/v1/devices/${kept.deviceId}/readings`, 'after restart', { qos: 1 });
  }, 60_000);
});
