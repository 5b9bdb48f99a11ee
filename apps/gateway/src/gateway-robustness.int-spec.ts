import { deviceReadingsTopic } from '@rpm/contracts';
import { connectAsync, type MqttClient } from 'mqtt';
import { connect } from 'node:net';
import { Client } from 'pg';
import { AppProcess } from '../../../test/support/app-process';
import { createClinic, type ClinicFixture } from '../../../test/support/fixtures';
import { gatewayEnv, type GatewayUnderTest } from '../../../test/support/gateway-env';
import { createTestDatabase } from '../../../test/support/test-services';
import { waitFor } from '../../../test/support/wait-for';

/** The value of one Prometheus sample line, e.g. metric(text, 'x_total{reason="y"}'). */
function metric(text: string, sample: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : NaN;
}

const heartRate = (seq: number) =>
  JSON.stringify({ metric: 'heart_rate', value: 70, unit: 'bpm', measuredAt: new Date(Date.now() - 1000 * seq).toISOString(), seq });

describe('gateway robustness: bad actors do not hurt other devices', () => {
  let databaseUrl: string;
  let underTest: GatewayUnderTest;
  let gateway: AppProcess;
  let healthy: ClinicFixture;
  let healthyDevice: MqttClient;

  const connectDevice = (clinic: ClinicFixture) =>
    connectAsync(underTest.mqttUrl, {
      protocolVersion: 4,
      clientId: clinic.device.deviceId,
      username: clinic.device.deviceId,
      password: clinic.device.secret,
      reconnectPeriod: 0,
    });
  const closedPromise = (client: MqttClient) => new Promise<void>((resolve) => client.once('close', () => resolve()));
  /** The well-behaved device still gets its readings acknowledged. */
  const healthyDeviceStillServed = async (seq: number) => {
    await healthyDevice.publishAsync(deviceReadingsTopic(healthy.device.deviceId), heartRate(seq), { qos: 1 });
  };

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    healthy = await createClinic(databaseUrl, 'healthy');
    underTest = await gatewayEnv(databaseUrl, { DEVICE_MAX_MESSAGES_PER_SECOND: '5', MAX_MESSAGE_KB: '64' });
    gateway = await AppProcess.start('gateway', underTest.env, underTest.mqttPort);
    healthyDevice = await connectDevice(healthy);
  });

  afterAll(async () => {
    await healthyDevice?.endAsync();
    await gateway?.stop();
  });

  it('disconnects a connected device the moment it is revoked, and refuses it afterwards', async () => {
    const clinic = await createClinic(databaseUrl, 'to-revoke');
    const device = await connectDevice(clinic);
    const closed = closedPromise(device);
    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    await sql.query('UPDATE devices SET revoked_at = now() WHERE id = $1', [clinic.device.deviceId]);
    await sql.end();
    await closed;
    device.end(true);
    await expect(connectDevice(clinic)).rejects.toMatchObject({ code: 4 });
    await healthyDeviceStillServed(1);
  });

  it('closes the connection of a packet over MAX_MESSAGE_KB before reading its body', async () => {
    const clinic = await createClinic(databaseUrl, 'oversize');
    const device = await connectDevice(clinic);
    const closed = closedPromise(device);
    device.publish(deviceReadingsTopic(clinic.device.deviceId), Buffer.alloc(65 * 1024, 'x'), { qos: 1 });
    await closed;
    device.end(true);
    await healthyDeviceStillServed(2);
  });

  it('disconnects a device that floods past its message rate', async () => {
    const clinic = await createClinic(databaseUrl, 'flood');
    const device = await connectDevice(clinic);
    const closed = closedPromise(device);
    for (let seq = 0; seq < 100 && device.connected; seq++) device.publish(deviceReadingsTopic(clinic.device.deviceId), heartRate(seq), { qos: 1 });
    await closed;
    device.end(true);
    await healthyDeviceStillServed(3);
  });

  it('survives garbage and half-sent packets on raw TCP', async () => {
    for (const bytes of [
      Buffer.from('GET / HTTP/1.1\r\n\r\n'),
      Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x7f]), // CONNECT with a malformed remaining length
      Buffer.from([0x30, 0x05, 0x00]), // PUBLISH before CONNECT, cut short
      Buffer.from([0xf0, 0x00]), // reserved packet type
    ]) {
      await new Promise<void>((resolve) => {
        const socket = connect(underTest.mqttPort, '127.0.0.1', () => socket.end(bytes));
        socket.on('close', () => resolve());
        socket.on('error', () => resolve());
        socket.setTimeout(2000, () => socket.destroy());
      });
    }
    await healthyDeviceStillServed(4);
  });

  it('answers health and exposes readings and refusals by reason in Prometheus metrics', async () => {
    const ready = await fetch(`${underTest.httpUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ok',
      checks: expect.objectContaining({ database: 'up', broker: 'up', store: 'up', spool: expect.objectContaining({ full: false }) }),
    });
    expect((await fetch(`${underTest.httpUrl}/health/live`)).status).toBe(200);

    await healthyDevice.publishAsync(deviceReadingsTopic(healthy.device.deviceId), '{"metric":"weight"}', { qos: 1 });
    const metrics = await waitFor('the spool drained in metrics', async () => {
      const text = await (await fetch(`${underTest.httpUrl}/metrics`)).text();
      // Counters are read in one scrape while the flood's last readings may still be between spool and store:
      // wait until everything accepted is stored.
      const stored = metric(text, 'rpm_gateway_readings_stored_total');
      return metric(text, 'rpm_gateway_spool_pending_readings') === 0 && stored >= 4 && stored === metric(text, 'rpm_gateway_readings_accepted_total')
        ? text
        : undefined;
    });
    expect(metric(metrics, 'rpm_gateway_readings_rejected_total{reason="unknown_metric"}')).toBe(1);
    expect(metric(metrics, 'rpm_gateway_connections_refused_total{reason="packet_too_large"}')).toBe(1);
    expect(metric(metrics, 'rpm_gateway_connections_refused_total{reason="rate_limited"}')).toBe(1);
    expect(metric(metrics, 'rpm_gateway_connected_devices')).toBe(1);
    expect(metric(metrics, 'rpm_gateway_store_write_seconds_count')).toBeGreaterThan(0);
  });
});
