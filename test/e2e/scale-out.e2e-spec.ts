import { Client } from 'pg';
import { SimulatedDevice } from '../../device-simulators/src/simulated-device';
import { ApiClient } from '../support/api-client';
import { startApi } from '../support/api-under-test';
import { AppProcess } from '../support/app-process';
import { addPatient, createClinic } from '../support/fixtures';
import { freePort } from '../support/free-port';
import { gatewayEnv, type GatewayUnderTest } from '../support/gateway-env';
import { MosquittoServer } from '../support/mosquitto-server';
import { TestEventLog, scrapeGauge } from '../support/nats-event-log';
import { createTestDatabase } from '../support/test-services';
import { waitFor } from '../support/wait-for';

const PATIENTS = 30;
const PARTITIONS = 8;
/** Between readings of one device: 30 devices send 100 readings/s. */
const INTERVAL_MS = 300;
/** Steady readings (mg/dL) until the test lets the episodes start, then one hypo episode per patient: level 1, level 2 (the same alert, raised to urgent), recovery. */
const STEADY = [118, 119, 120, 119];
const EPISODE = [96, 80, 66, 55, 50, 46, 49, 58, 71, 84, 97, 108];

/** An open GET /alerts/stream as the web page reads it: the alert ids received. */
class OpenStream {
  readonly alertIds = new Set<string>();
  private readonly abort = new AbortController();

  static async open(httpUrl: string, authorization: string): Promise<OpenStream> {
    const stream = new OpenStream();
    const response = await fetch(`${httpUrl}/alerts/stream`, { headers: { authorization, accept: 'text/event-stream' }, signal: stream.abort.signal });
    expect(response.status).toBe(200);
    void stream.read(response.body!.pipeThrough(new TextDecoderStream()).getReader());
    return stream;
  }

  close(): void {
    this.abort.abort();
  }

  private async read(reader: ReadableStreamDefaultReader<string>): Promise<void> {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer = (buffer + value).slice(-100_000);
        for (const match of buffer.matchAll(/"alertId":"([0-9a-f-]{36})"/g)) this.alertIds.add(match[1]);
      }
    } catch {
      // aborted by the test, or the API died
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('scale-out: two gateways on Mosquitto, two alerting instances on the reading log, two APIs', () => {
  it('kill -9 of one of each during load: every reading stored once, every alert raised once, both API streams see every alert', async () => {
    const eventLog = new TestEventLog(PARTITIONS);
    const databaseUrl = await createTestDatabase();
    const clinic = await createClinic(databaseUrl, 'scale');
    const patients = [
      { patientId: clinic.patientId, device: clinic.device },
      ...(await Promise.all(Array.from({ length: PATIENTS - 1 }, (_, n) => addPatient(databaseUrl, clinic.careTeamId, `scale patient ${n}`)))),
    ];
    const gatewayUser = { username: 'rpm-gateway', password: 'gateway-secret' };
    const mosquitto = await MosquittoServer.start(
      gatewayUser,
      patients.map(({ device }) => ({ username: device.deviceId, password: device.secret })),
    );
    const external = {
      ...eventLog.env,
      MQTT_MODE: 'external',
      MQTT_URL: mosquitto.internalUrl,
      MQTT_USERNAME: gatewayUser.username,
      MQTT_PASSWORD: gatewayUser.password,
      MQTT_SHARE_GROUP: 'rpm-gateway-scale',
      LOG_LEVEL: 'log',
    };
    const gatewayEnvs = [
      await gatewayEnv(databaseUrl, { ...external, MQTT_CLIENT_ID: 'gateway-a' }),
      await gatewayEnv(databaseUrl, { ...external, MQTT_CLIENT_ID: 'gateway-b' }),
    ];
    const startGateway = (underTest: GatewayUnderTest) => AppProcess.start('gateway', underTest.env, Number(new URL(underTest.httpUrl).port));
    const alertingPorts = [await freePort(), await freePort()];
    const startAlerting = (port: number) =>
      AppProcess.start(
        'alerting',
        {
          DATABASE_URL: databaseUrl,
          ...eventLog.env,
          LATE_READING_MINUTES: '1440',
          ALERTING_HTTP_HOST: '127.0.0.1',
          ALERTING_HTTP_PORT: String(port),
          LOG_LEVEL: 'log',
        },
        { logLine: 'alerting consumes the reading log' },
      );

    const gateways = [await startGateway(gatewayEnvs[0]), await startGateway(gatewayEnvs[1])];
    const alerting = [await startAlerting(alertingPorts[0]), await startAlerting(alertingPorts[1])];
    const apis = [await startApi(databaseUrl), await startApi(databaseUrl)];
    const streams: OpenStream[] = [];
    const openStream = async (httpUrl: string) => {
      const doctor = await ApiClient.login(httpUrl, clinic.doctor.email, clinic.doctor.password);
      const stream = await OpenStream.open(httpUrl, doctor.authorization);
      streams.push(stream);
      return stream;
    };
    const devices = await Promise.all(patients.map(({ device }) => SimulatedDevice.connect(mosquitto.url, device)));
    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    try {
      const streamA = await openStream(apis[0].httpUrl);
      await waitFor('the alerting instances to split the partitions', async () => {
        const counts = await Promise.all(alertingPorts.map((port) => scrapeGauge(`http://127.0.0.1:${port}/metrics`, 'rpm_alerting_partitions_owned')));
        return counts[0]! > 0 && counts[1]! > 0 && counts[0]! + counts[1]! === PARTITIONS ? true : undefined;
      });

      // Readings 5 minutes apart from 16 hours ago (up to 190 readings a device), so the rules see a CGM's pace.
      const base = Date.now() - 16 * 3600_000;
      let episodesMayStart = false;
      const sent = new Map<string, number>();
      const load = Promise.all(
        devices.map(async (device, index) => {
          const deviceId = patients[index].device.deviceId;
          let seq = 0;
          const send = async (value: number) => {
            await device.publish({ metric: 'glucose', value, unit: 'mg/dL', source: 'cgm', measuredAt: new Date(base + seq * 5 * 60_000).toISOString(), seq });
            sent.set(deviceId, ++seq);
            await sleep(INTERVAL_MS);
          };
          for (let n = 0; !episodesMayStart || n < STEADY.length; n++) await send(STEADY[n % STEADY.length]);
          for (const value of EPISODE) await send(value);
        }),
      );

      // An API dies under load; its page's stream comes back on the restarted API before any alert opens
      // (the stream has no replay for a client that reconnects: a reopened page lists the alerts again).
      await sleep(500);
      await apis[1].api.stop('SIGKILL');
      apis[1] = await startApi(databaseUrl, {}).catch(async () => startApi(databaseUrl));
      const streamB = await openStream(apis[1].httpUrl);
      episodesMayStart = true;

      // A gateway and an alerting instance die while the episodes open and deepen.
      await sleep(1500);
      await gateways[0].stop('SIGKILL');
      gateways[0] = await startGateway(gatewayEnvs[0]);
      await sleep(500);
      const alertingKilledAt = Date.now();
      await alerting[1].stop('SIGKILL');
      await waitFor(
        'the surviving alerting instance to own every partition',
        async () => ((await scrapeGauge(`http://127.0.0.1:${alertingPorts[0]}/metrics`, 'rpm_alerting_partitions_owned')) === PARTITIONS ? true : undefined),
        10_000,
      );
      const handoverMs = Date.now() - alertingKilledAt;
      await load;

      const total = [...sent.values()].reduce((sum, count) => sum + count, 0);
      const stored = await waitFor(
        'every reading in the store',
        async () => {
          const { rows } = await sql.query<{ readings: number; distinct: number }>(
            `SELECT count(*)::int AS readings, count(DISTINCT (device_id, seq))::int AS distinct FROM readings`,
          );
          return rows[0].readings >= total ? rows[0] : undefined;
        },
        60_000,
        250,
      );
      expect(stored).toEqual({ readings: total, distinct: total });

      const alerts = await waitFor(
        'every episode evaluated and resolved',
        async () => {
          const { rows } = await sql.query<{ id: string; patient_id: string; status: string; severity: string; rule_id: string }>(
            `SELECT id, patient_id, status, severity, rule_id FROM alerts WHERE episode = 'glucose-low'`,
          );
          return new Set(rows.map((row) => row.patient_id)).size === PATIENTS && rows.every((row) => row.status === 'resolved') ? rows : undefined;
        },
        60_000,
        250,
      );
      // Raised once: one alert per patient and episode, raised to urgent by level 2.
      expect(alerts).toHaveLength(PATIENTS);
      expect(alerts.every((alert) => alert.severity === 'urgent' && alert.rule_id === 'glucose.level2_hypo')).toBe(true);
      const { rows: everyAlert } = await sql.query<{ id: string }>('SELECT id FROM alerts');
      const ids = everyAlert.map((row) => row.id).sort();
      for (const stream of [streamA, streamB]) {
        await waitFor('every alert on the stream', async () => (ids.every((id) => stream.alertIds.has(id)) ? true : undefined), 20_000);
      }
      expect(await eventLog.messages()).toBe(total);
      process.stdout.write(`scale-out: ${total} readings, ${alerts.length} alerts; partitions handed over ${handoverMs} ms after kill -9\n`);
    } finally {
      for (const stream of streams) stream.close();
      await sql.end();
      await Promise.all(devices.map((device) => device.close()));
      await Promise.all([...alerting, ...gateways, ...apis.map(({ api }) => api)].map((app) => app.stop()));
      await mosquitto.stop();
      await eventLog.delete();
    }
  }, 180_000);
});
