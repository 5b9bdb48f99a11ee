import { deviceReadingsTopic } from '@rpm/contracts';
import { hashSecret } from '@rpm/security';
import * as hdr from 'hdr-histogram-js';
import { randomUUID } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { Client } from 'pg';
import type { DeviceCredential } from '../device-simulators/src/simulated-device';
import { percentiles, type LoadGenerator, type Percentiles, type StepResult } from './load-generator';

export interface BurstSettings {
  wearables: number;
  /** Each wearable's own rate outside the burst: 1 Hz, as heart-rate wearables send. */
  backgroundSeconds: number;
  burstRate: number;
  burstSeconds: number;
  /** Urgent lows sent during the burst, and as many after it. */
  urgentPerPhase: number;
}

export interface UrgentPhase {
  sent: number;
  raised: number;
  publishToAlertMs: Percentiles;
}

export interface BurstAlertResult {
  settings: BurstSettings;
  burst: StepResult;
  during: UrgentPhase;
  after: UrgentPhase;
}

/** `count` patients with one device of `kind` each, in one care team, straight into PostgreSQL. */
export async function registerPatients(
  databaseUrl: string,
  careTeamId: string,
  count: number,
  kind: 'wearable' | 'glucose_meter',
): Promise<{ patientIds: string[]; devices: DeviceCredential[] }> {
  const patientIds = Array.from({ length: count }, () => randomUUID());
  const label = randomUUID().slice(0, 6);
  const devices = patientIds.map((_, n) => ({ deviceId: `${kind}-${label}-${n}`, secret: `secret-${randomUUID()}` }));
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`INSERT INTO patients (id, display_name, programme, care_team_id) SELECT unnest($1::uuid[]), 'bench patient', 'diabetes', $2`, [
      patientIds,
      careTeamId,
    ]);
    await client.query(`INSERT INTO devices (id, patient_id, kind, credential_hash) SELECT unnest($1::text[]), unnest($2::uuid[]), $3, unnest($4::text[])`, [
      devices.map((device) => device.deviceId),
      patientIds,
      kind,
      devices.map((device) => hashSecret(device.secret)),
    ]);
  } finally {
    await client.end();
  }
  return { patientIds, devices };
}

const heartRate = (seq: number, at: number) =>
  JSON.stringify({ metric: 'heart_rate', value: 60 + (seq % 40), unit: 'bpm', measuredAt: new Date(at).toISOString(), seq });

/**
 * Publish-to-alert for urgent readings while dense wearable streams fill alerting's queue: every wearable
 * sends heart rate at 1 Hz (its state is built, then kept in memory), then a burst at `burstRate` on top;
 * patients with a glucose meter send one reading of 48 mg/dL each (ADA level 2, urgent), half during the
 * burst and half after it at the 1 Hz background. Latency runs from the send to the alert's alert_changed
 * NOTIFY (the commit of the alert: the moment the API and its live stream have it).
 */
export async function urgentUnderBurst(
  databaseUrl: string,
  wearables: LoadGenerator,
  mqttUrl: string,
  meters: { patientIds: string[]; devices: DeviceCredential[] },
  settings: BurstSettings,
): Promise<BurstAlertResult> {
  const sentAt = new Map<string, number>();
  const raisedAt = new Map<string, number>();
  const listener = new Client({ connectionString: databaseUrl });
  await listener.connect();
  listener.on('notification', (message) => {
    const change = JSON.parse(message.payload ?? '{}') as { patientId?: string; status?: string };
    if (change.status === 'open' && change.patientId && sentAt.has(change.patientId) && !raisedAt.has(change.patientId))
      raisedAt.set(change.patientId, Date.now());
  });
  await listener.query('LISTEN alert_changed');
  const clients: MqttClient[] = [];
  for (const device of meters.devices) {
    clients.push(
      await connectAsync(mqttUrl, { protocolVersion: 4, clientId: device.deviceId, username: device.deviceId, password: device.secret, reconnectPeriod: 0 }),
    );
  }
  const sendLows = async (first: number, count: number, spreadMs: number) => {
    for (let index = first; index < first + count; index++) {
      await new Promise((resolve) => setTimeout(resolve, spreadMs / count));
      sentAt.set(meters.patientIds[index], Date.now());
      const low = { metric: 'glucose', value: 48, unit: 'mg/dL', source: 'meter', measuredAt: new Date().toISOString() };
      void clients[index].publishAsync(deviceReadingsTopic(meters.devices[index].deviceId), JSON.stringify(low), { qos: 1 });
    }
  };
  const phase = (from: number, count: number): UrgentPhase => {
    const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 300_000, numberOfSignificantValueDigits: 3 });
    let raised = 0;
    for (const patientId of meters.patientIds.slice(from, from + count)) {
      const at = raisedAt.get(patientId);
      if (at === undefined) continue;
      raised++;
      histogram.recordValue(Math.max(1, at - sentAt.get(patientId)!));
    }
    return { sent: count, raised, publishToAlertMs: percentiles(histogram) };
  };
  try {
    const background = settings.wearables;
    // The streams start: alerting builds each wearable's state once, then keeps it.
    await wearables.step(background, settings.backgroundSeconds, (seq, at) => heartRate(seq, at));
    const urgent = settings.urgentPerPhase;
    const [burst] = await Promise.all([
      wearables.step(settings.burstRate, settings.burstSeconds, (seq, at) => heartRate(seq, at)),
      sendLows(0, urgent, settings.burstSeconds * 1000 * 0.9),
    ]);
    await Promise.all([
      wearables.step(background, settings.burstSeconds, (seq, at) => heartRate(seq, at)),
      sendLows(urgent, urgent, settings.burstSeconds * 1000 * 0.9),
    ]);
    const deadline = Date.now() + 30_000;
    while (raisedAt.size < 2 * urgent && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    return { settings, burst, during: phase(0, urgent), after: phase(urgent, urgent) };
  } finally {
    await Promise.all(clients.map((client) => client.endAsync(true)));
    await listener.end();
  }
}
