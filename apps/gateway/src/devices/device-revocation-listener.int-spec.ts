import { connectAsync, type MqttClient } from 'mqtt';
import { Client } from 'pg';
import { AppProcess } from '../../../../test/support/app-process';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { gatewayEnv, type GatewayUnderTest } from '../../../../test/support/gateway-env';
import { listenerBack, terminateListeners, withConnectionsRefused } from '../../../../test/support/pg-listeners';
import { createTestDatabase } from '../../../../test/support/test-services';

describe('device revocations still disconnect devices after the LISTEN connection drops', () => {
  let databaseUrl: string;
  let underTest: GatewayUnderTest;
  let gateway: AppProcess;

  const connectDevice = (clinic: ClinicFixture) =>
    connectAsync(underTest.mqttUrl, {
      protocolVersion: 4,
      clientId: clinic.device.deviceId,
      username: clinic.device.deviceId,
      password: clinic.device.secret,
      reconnectPeriod: 0,
    });
  const closed = (client: MqttClient) => new Promise<void>((resolve) => client.once('close', () => resolve()));
  const revoke = (sql: Client, clinic: ClinicFixture) => sql.query('UPDATE devices SET revoked_at = now() WHERE id = $1', [clinic.device.deviceId]);

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    underTest = await gatewayEnv(databaseUrl);
    gateway = await AppProcess.start('gateway', underTest.env, underTest.mqttPort);
  });
  afterAll(() => gateway?.stop());

  it('reconnects after its backend is terminated (as by a PostgreSQL restart), and a later revocation disconnects the device', async () => {
    const clinic = await createClinic(databaseUrl, 'after-restart');
    const device = await connectDevice(clinic);
    const gone = await terminateListeners(databaseUrl, 'device_revoked');
    await listenerBack(databaseUrl, 'device_revoked', gone);
    const disconnected = closed(device);
    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    await revoke(sql, clinic);
    await sql.end();
    await disconnected;
    device.end(true);
  });

  it('a device revoked while the database refused connections is disconnected once the LISTEN is back', async () => {
    const clinic = await createClinic(databaseUrl, 'during-outage');
    const device = await connectDevice(clinic);
    const disconnected = closed(device);
    await withConnectionsRefused(databaseUrl, async (sql) => {
      await terminateListeners(sql, 'device_revoked');
      await revoke(sql, clinic);
      await new Promise((resolve) => setTimeout(resolve, 1500)); // a few refused reconnects
      expect(device.connected).toBe(true);
    });
    await disconnected;
    device.end(true);
  });
});
