import { deviceReadingsTopic, type NormalizedReading } from '@rpm/contracts';
import { hashSecret } from '@rpm/security';
import { InfluxReadingStore } from '@rpm/timeseries';
import { randomUUID } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { Client } from 'pg';
import { ApiClient } from '../support/api-client';
import { createClinic } from '../support/fixtures';
import { PlatformProcess } from '../support/platform-process';
import { createTestDatabase, testServices, uniqueInfluxDatabase } from '../support/test-services';
import { waitFor } from '../support/wait-for';

const WEARABLE_PATIENTS = 200;
const HISTORY_SECONDS = 3 * 3600;
/** The burst: every wearable sends BATCH readings every BATCH_EVERY_MS, 3,200 readings/s in all. */
const BURST_SECONDS = 10;
const BATCH = 8;
const BATCH_EVERY_MS = 500;
const URGENT_PATIENTS = 30;
const URGENT_DURING_BURST = 20;

/** Patients with a wearable each, straight into PostgreSQL. */
async function wearablePatients(databaseUrl: string, careTeamId: string, count: number, kind: string) {
  const patients = Array.from({ length: count }, () => ({
    patientId: randomUUID(),
    deviceId: `${kind}-${randomUUID().slice(0, 8)}`,
    secret: `secret-${randomUUID()}`,
  }));
  const sql = new Client({ connectionString: databaseUrl });
  await sql.connect();
  try {
    await sql.query(`INSERT INTO patients (id, display_name, programme, care_team_id) SELECT unnest($1::uuid[]), 'load patient', 'diabetes', $2`, [
      patients.map((patient) => patient.patientId),
      careTeamId,
    ]);
    await sql.query(`INSERT INTO devices (id, patient_id, kind, credential_hash) SELECT unnest($1::text[]), unnest($2::uuid[]), $3, unnest($4::text[])`, [
      patients.map((patient) => patient.deviceId),
      patients.map((patient) => patient.patientId),
      kind === 'hr' ? 'wearable' : 'glucose_meter',
      patients.map((patient) => hashSecret(patient.secret)),
    ]);
  } finally {
    await sql.end();
  }
  return patients;
}

const heartRate = (patientId: string, deviceId: string, at: number, seq: number): NormalizedReading => ({
  patientId,
  deviceId,
  metric: 'heart_rate',
  measuredAt: new Date(at).toISOString(),
  receivedAt: new Date(at).toISOString(),
  seq,
  unit: 'bpm',
  values: { value: 60 + (seq % 40) },
  original: { unit: 'bpm', values: { value: 60 + (seq % 40) } },
  context: {},
});

const connectDevice = (mqttUrl: string, device: { deviceId: string; secret: string }): Promise<MqttClient> =>
  connectAsync(mqttUrl, { protocolVersion: 4, clientId: device.deviceId, username: device.deviceId, password: device.secret, reconnectPeriod: 0 });

/** Where an urgent low's time went: the gateway's PUBACK, the alert's transaction in alerting, the doctor's stream. */
async function stages(
  databaseUrl: string,
  meters: { patientId: string }[],
  sentAt: Map<string, number>,
  ackedAt: Map<string, number>,
  opened: Map<string, number>,
) {
  const sql = new Client({ connectionString: databaseUrl });
  await sql.connect();
  const rows = (await sql.query('SELECT patient_id, created_at FROM alerts')).rows as { patient_id: string; created_at: Date }[];
  await sql.end();
  const created = new Map(rows.map((row) => [row.patient_id, row.created_at.getTime()]));
  return meters.map(({ patientId }) => {
    const sent = sentAt.get(patientId)!;
    return { puback: ackedAt.get(patientId)! - sent, alertCommitted: (created.get(patientId) ?? NaN) - sent, onStream: (opened.get(patientId) ?? NaN) - sent };
  });
}

const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.99) - 1];

describe('an urgent reading is alerted within a second, whatever the backlog', () => {
  let platform: PlatformProcess;

  afterAll(async () => {
    await platform?.stop();
  });

  it('200 patients with 3 h of 1 Hz heart rate and a 3,200 readings/s burst on top: urgent lows of other patients reach the doctor in < 1 s (p99), every reading evaluated once', async () => {
    const databaseUrl = await createTestDatabase();
    const influx = { INFLUX_URL: testServices().influxUrl, INFLUX_DATABASE: uniqueInfluxDatabase() };
    const clinic = await createClinic(databaseUrl, 'urgent');
    const wearables = await wearablePatients(databaseUrl, clinic.careTeamId, WEARABLE_PATIENTS, 'hr');
    const meters = await wearablePatients(databaseUrl, clinic.careTeamId, URGENT_PATIENTS, 'meter');

    // Three hours of 1 Hz history, written straight into the store (2.16 million points) rather than published.
    const start = Date.now();
    const historyStart = start - HISTORY_SECONDS * 1000;
    const store = new InfluxReadingStore({ url: influx.INFLUX_URL, database: influx.INFLUX_DATABASE });
    await store.init();
    for (let from = 0; from < HISTORY_SECONDS; from += 300) {
      const chunk: NormalizedReading[] = [];
      for (const { patientId, deviceId } of wearables) {
        for (let second = from; second < Math.min(from + 300, HISTORY_SECONDS); second++)
          chunk.push(heartRate(patientId, deviceId, historyStart + second * 1000, second));
      }
      await store.write(chunk);
    }
    await store.close();

    platform = await PlatformProcess.start({ DATABASE_URL: databaseUrl, DEMO_SEED: 'false', DEVICE_MAX_MESSAGES_PER_SECOND: '1000', ...influx });
    const doctor = await ApiClient.login(platform.httpUrl, clinic.doctor.email, clinic.doctor.password);
    const opened = new Map<string, number>();
    const stream = await fetch(`${platform.httpUrl}/alerts/stream`, { headers: { authorization: doctor.authorization } });
    const reader = stream.body!.getReader();
    let buffered = '';
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffered += Buffer.from(value).toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines.filter((item) => item.startsWith('data:'))) {
          const change = JSON.parse(line.slice(5)) as { patientId: string; status: string };
          if (change.status === 'open' && !opened.has(change.patientId)) opened.set(change.patientId, Date.now());
        }
      }
    })().catch(() => undefined);

    const wearableClients = await Promise.all(wearables.map((device) => connectDevice(platform.mqttUrl, device)));
    const meterClients = await Promise.all(meters.map((device) => connectDevice(platform.mqttUrl, device)));
    let published = 0;
    const sentAt = new Map<string, number>();
    const ackedAt = new Map<string, number>();
    const sendLow = async (index: number) => {
      const { deviceId, patientId } = meters[index];
      sentAt.set(patientId, Date.now());
      const low = { metric: 'glucose', value: 48, unit: 'mg/dL', source: 'meter', measuredAt: new Date().toISOString() };
      await meterClients[index].publishAsync(deviceReadingsTopic(deviceId), JSON.stringify(low), { qos: 1 });
      ackedAt.set(patientId, Date.now());
      published++;
    };
    try {
      // The burst continues each wearable's stream from now on; its readings are measured 1/BATCH of a batch interval apart.
      const burstStart = Date.now();
      let seq = HISTORY_SECONDS;
      const burst = (async () => {
        for (let round = 0; round < (BURST_SECONDS * 1000) / BATCH_EVERY_MS; round++) {
          const due = burstStart + round * BATCH_EVERY_MS;
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
          const first = seq;
          seq += BATCH;
          void Promise.all(
            wearables.map(async ({ deviceId }, index) => {
              const readings = Array.from({ length: BATCH }, (_, n) => ({
                metric: 'heart_rate',
                value: 60 + ((first + n) % 40),
                unit: 'bpm',
                measuredAt: new Date(due - BATCH_EVERY_MS + ((n + 1) * BATCH_EVERY_MS) / BATCH).toISOString(),
                seq: first + n,
              }));
              await wearableClients[index].publishAsync(deviceReadingsTopic(deviceId), JSON.stringify({ readings }), { qos: 1 });
              published += BATCH;
            }),
          );
        }
      })();
      // Urgent lows from other patients: during the burst, then after it.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      for (let index = 0; index < URGENT_DURING_BURST; index++) {
        await sendLow(index);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      await burst;
      for (let index = URGENT_DURING_BURST; index < URGENT_PATIENTS; index++) {
        await sendLow(index);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      await waitFor(
        "every urgent low on the doctor's stream",
        async () => (meters.every(({ patientId }) => opened.has(patientId)) ? true : undefined),
        60_000,
      ).catch(() => undefined);
      const latencies = meters.map(({ patientId }) => (opened.get(patientId) ?? Infinity) - sentAt.get(patientId)!);
      expect({ alerted: latencies.filter(Number.isFinite).length, p99Ms: p99(latencies) }).toEqual({ alerted: URGENT_PATIENTS, p99Ms: expect.any(Number) });
      if (p99(latencies) >= 1000)
        throw new Error(
          `p99 ${p99(latencies)} ms; per stage (ms after sending): ${JSON.stringify(await stages(databaseUrl, meters, sentAt, ackedAt, opened))}`,
        );

      // Every reading evaluated once: alerting's count reaches what the gateway acknowledged, and goes no further.
      const evaluated = async () => {
        const metrics = await (await fetch(`${platform.alertingHttpUrl}/metrics`)).text();
        return Number(/^rpm_alerting_readings_evaluated_total (\d+)/m.exec(metrics)?.[1] ?? 0);
      };
      await waitFor('every reading evaluated', async () => ((await evaluated()) >= published ? true : undefined), 60_000).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(await evaluated()).toBe(published);
      expect(published).toBe(WEARABLE_PATIENTS * BATCH * ((BURST_SECONDS * 1000) / BATCH_EVERY_MS) + URGENT_PATIENTS);
    } finally {
      await Promise.all([...wearableClients, ...meterClients].map((client) => client.endAsync(true)));
      await reader.cancel().catch(() => undefined);
    }
  }, 240_000);
});
