import { deviceReadingsTopic } from '@rpm/contracts';
import { connect, connectAsync, type IClientOptions } from 'mqtt';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { AppProcess } from '../../../../test/support/app-process';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { freePort } from '../../../../test/support/free-port';
import { gatewayEnv, type GatewayUnderTest } from '../../../../test/support/gateway-env';
import { createTestCertificates, getOverTls, type TestCertificates } from '../../../../test/support/test-certificates';
import { createTestDatabase } from '../../../../test/support/test-services';
import { waitFor } from '../../../../test/support/wait-for';

const reading = () => JSON.stringify({ metric: 'heart_rate', value: 64, unit: 'bpm', measuredAt: new Date().toISOString() });

/** How a connection attempt ends: 'connected', or the error or close that came first. */
function connectionOutcome(url: string, options: IClientOptions): Promise<string> {
  return new Promise((resolve) => {
    const client = connect(url, options);
    const settle = (outcome: string) => {
      client.end(true);
      resolve(outcome);
    };
    client.once('connect', () => settle('connected'));
    client.once('error', (error: Error & { code?: string | number }) => settle(`error ${error.code ?? error.message}`));
    client.once('close', () => settle('closed'));
  });
}

function metric(text: string, sample: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : undefined;
}

describe('embedded broker over TLS', () => {
  let certs: TestCertificates;
  let databaseUrl: string;
  let clinic: ClinicFixture;
  let tlsOnly: GatewayUnderTest;
  let tlsPort: number;
  let gateway: AppProcess;

  const deviceOptions = (extra: IClientOptions = {}): IClientOptions => ({
    protocolVersion: 4,
    clientId: clinic.device.deviceId,
    username: clinic.device.deviceId,
    password: clinic.device.secret,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...extra,
  });

  beforeAll(async () => {
    certs = createTestCertificates();
    databaseUrl = await createTestDatabase();
    clinic = await createClinic(databaseUrl, 'tls');
    tlsPort = await freePort();
    tlsOnly = await gatewayEnv(databaseUrl, {
      MQTT_PLAIN: 'false',
      MQTT_TLS_PORT: String(tlsPort),
      MQTT_TLS_CERT_FILE: certs.certFile,
      MQTT_TLS_KEY_FILE: certs.keyFile,
      TLS_CERT_FILE: certs.certFile,
      TLS_KEY_FILE: certs.keyFile,
    });
    gateway = await AppProcess.start('gateway', tlsOnly.env, tlsPort);
  });

  afterAll(async () => {
    await gateway?.stop();
    certs?.remove();
  });

  it('a device connects over mqtts, verifying the server against its CA, and its reading is stored', async () => {
    const device = await connectAsync(`mqtts://localhost:${tlsPort}`, deviceOptions({ ca: readFileSync(certs.caFile) }));
    await device.publishAsync(deviceReadingsTopic(clinic.device.deviceId), reading(), { qos: 1 });
    await device.endAsync();
    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    try {
      const stored = await waitFor('the reading in the store', async () => {
        const { rows } = await sql.query('SELECT metric, "values" FROM readings WHERE device_id = $1', [clinic.device.deviceId]);
        return rows.length > 0 ? rows : undefined;
      });
      expect(stored).toEqual([{ metric: 'heart_rate', values: { value: 64 } }]);
    } finally {
      await sql.end();
    }
  });

  it('a TLS-only gateway refuses plain MQTT: nothing listens on MQTT_PORT, and the TLS port answers no plain CONNECT', async () => {
    expect(await connectionOutcome(tlsOnly.mqttUrl, deviceOptions())).toBe('error ECONNREFUSED');
    expect(await connectionOutcome(`mqtt://127.0.0.1:${tlsPort}`, deviceOptions())).not.toBe('connected');
    const metrics = await getOverTls(`${tlsOnly.httpUrl.replace('http:', 'https:')}/metrics`, certs.caFile);
    expect(metric(metrics.body, 'rpm_gateway_connections_refused_total{reason="tls_handshake"}')).toBeGreaterThan(0);
  });

  it('refuses to talk to a client that does not trust the certificate (no silent downgrade)', async () => {
    await expect(connectAsync(`mqtts://localhost:${tlsPort}`, deviceOptions())).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });

  it('serves health and metrics over HTTPS, with the TLS listener in both', async () => {
    const ready = await getOverTls(`${tlsOnly.httpUrl.replace('http:', 'https:')}/health/ready`, certs.caFile);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body).checks.broker).toBe('up');
    const metrics = await getOverTls(`${tlsOnly.httpUrl.replace('http:', 'https:')}/metrics`, certs.caFile);
    expect(metric(metrics.body, 'rpm_gateway_mqtt_listener_up{transport="tls"}')).toBe(1);
    expect(metric(metrics.body, 'rpm_gateway_mqtt_listener_up{transport="plain"}')).toBeUndefined();
    expect(metric(metrics.body, 'rpm_gateway_mqtt_connections_opened_total{transport="tls"}')).toBeGreaterThan(0);
    await expect(fetch(`${tlsOnly.httpUrl}/health/live`)).rejects.toThrow();
  });

  it('serves plain and TLS side by side when both are configured, and reports both listeners', async () => {
    const bothPort = await freePort();
    const both = await gatewayEnv(databaseUrl, { MQTT_TLS_PORT: String(bothPort), MQTT_TLS_CERT_FILE: certs.certFile, MQTT_TLS_KEY_FILE: certs.keyFile });
    const second = await AppProcess.start('gateway', both.env, bothPort);
    try {
      const overTls = await connectAsync(`mqtts://localhost:${bothPort}`, deviceOptions({ ca: readFileSync(certs.caFile) }));
      await overTls.endAsync();
      const plain = await connectAsync(both.mqttUrl, deviceOptions());
      await plain.endAsync();
      const metrics = await (await fetch(`${both.httpUrl}/metrics`)).text();
      expect(metric(metrics, 'rpm_gateway_mqtt_listener_up{transport="plain"}')).toBe(1);
      expect(metric(metrics, 'rpm_gateway_mqtt_listener_up{transport="tls"}')).toBe(1);
    } finally {
      await second.stop();
    }
  });
});
