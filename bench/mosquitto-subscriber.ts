import { ACCEPTED_READINGS_TOPIC, type AcceptedReadingsEvent, type NormalizedReading } from '@rpm/contracts';
import { InfluxReadingStore } from '@rpm/timeseries';
import { connectAsync } from 'mqtt';
import { Client } from 'pg';

const BATCH_SIZE = 5000;
const EVENT_CHUNK = 500;

/**
 * The consumer half of the Mosquitto peer pipeline: a minimal subscriber (QoS 1, persistent session) that
 * writes readings to InfluxDB through the same adapter and batch size as the gateway's drainer and then
 * announces them on the accepted-readings topic, as the gateway does, so the load generator sees "stored"
 * the same way for both. It does less than the gateway on purpose (no validation, no unit normalisation,
 * no spool: mqtt.js acknowledges each message on receipt), so the comparison flatters the peer, not us.
 * Run as its own process with its settings in the environment; prints "ready" once subscribed.
 */
async function main(): Promise<void> {
  const env = (name: string) => process.env[name] ?? fail(`${name} is required`);
  const patientOf = await devicePatients(env('DATABASE_URL'));
  const store = new InfluxReadingStore({ url: env('INFLUX_URL'), database: env('INFLUX_DATABASE') });
  await store.init();
  const client = await connectAsync(env('BROKER_URL'), {
    protocolVersion: 4,
    clientId: 'bench-peer-subscriber',
    clean: false,
    username: env('BROKER_USERNAME'),
    password: env('BROKER_PASSWORD'),
    reconnectPeriod: 1000,
  });
  let pending: NormalizedReading[] = [];
  let wake: (() => void) | undefined;
  client.on('message', (topic, payload) => {
    const deviceId = topic.split('/')[3];
    const patientId = patientOf.get(deviceId);
    if (!patientId) return;
    const body = JSON.parse(payload.toString()) as { metric: NormalizedReading['metric']; value: number; unit: string; measuredAt: string; seq?: number };
    const values = { value: body.value };
    pending.push({
      patientId,
      deviceId,
      metric: body.metric,
      measuredAt: body.measuredAt,
      receivedAt: new Date().toISOString(),
      seq: body.seq ?? null,
      unit: body.unit,
      values,
      original: { unit: body.unit, values },
      context: {},
    });
    wake?.();
  });
  await client.subscribeAsync('rpm/v1/devices/+/readings', { qos: 1 });
  process.stdout.write('ready\n');
  // One batch in flight at a time, as in the gateway's drainer; readings arriving meanwhile form the next.
  for (;;) {
    if (pending.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
    const batch = pending.slice(0, BATCH_SIZE);
    pending = pending.slice(batch.length);
    await writeWithRetry(store, batch);
    // The gateway publishes in-process; over TCP, waiting for each PUBACK in turn would charge the peer a
    // broker round trip per event. One connection still delivers the events in order.
    const events: Promise<unknown>[] = [];
    for (let start = 0; start < batch.length; start += EVENT_CHUNK) {
      const event: AcceptedReadingsEvent = { readings: batch.slice(start, start + EVENT_CHUNK) };
      events.push(client.publishAsync(ACCEPTED_READINGS_TOPIC, JSON.stringify(event), { qos: 1 }));
    }
    await Promise.all(events);
  }
}

/** The device-to-patient map the gateway gets from its device directory, read once. */
async function devicePatients(databaseUrl: string): Promise<Map<string, string>> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const { rows } = await db.query<{ id: string; patient_id: string }>('SELECT id, patient_id FROM devices');
  await db.end();
  return new Map(rows.map((row) => [row.id, row.patient_id]));
}

async function writeWithRetry(store: InfluxReadingStore, batch: NormalizedReading[]): Promise<void> {
  for (;;) {
    try {
      await store.write(batch);
      return;
    } catch (error) {
      process.stderr.write(`peer subscriber: write failed, retrying: ${(error as Error).message}\n`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

function fail(message: string): never {
  throw new Error(message);
}

main().catch((error: Error) => {
  process.stderr.write(`peer subscriber: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
