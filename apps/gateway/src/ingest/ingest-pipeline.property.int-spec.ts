import { REJECTION_CODES, deviceReadingsTopic, type DeviceReply } from '@rpm/contracts';
import fc from 'fast-check';
import { Client } from 'pg';
import { AppProcess } from '../../../../test/support/app-process';
import { registerDevices } from '../../../../test/support/device-fleet';
import { createClinic } from '../../../../test/support/fixtures';
import { gatewayEnv } from '../../../../test/support/gateway-env';
import { AnnouncementListener, connectListeningDevice, type ListeningDevice } from '../../../../test/support/poison-kit';
import { createTestDatabase, testServices, uniqueInfluxDatabase } from '../../../../test/support/test-services';
import { waitFor } from '../../../../test/support/wait-for';

/*
 * Generated payloads, valid, at the edges and hostile, through the real gateway (its own process, embedded
 * broker on a free port, real MQTT clients at QoS 1) into each real store, where a store-side poison also
 * makes the store refuse some valid readings. After each message the same device sends a valid sentinel;
 * once alerting hears the sentinel, every earlier reading of that device has left the spool, so the state
 * is final and the property can be checked without timing guesses:
 *   - every reading the gateway acknowledged is stored or quarantined with a reason, never both, never lost;
 *   - every reading it did not take has a machine-readable reason on the device's replies topic;
 *   - the sentinel, sent after whatever came before, is stored.
 */

const DAY_MS = 86_400_000;
const POISON_HEART_RATE = 199;
const POISONED_WEEK = '2001-01-03T00:00:00Z';
const SENTINEL = 999;

type TimeSpec = { offsetMs: number } | { literal: unknown };
type ReadingSpec = { fields: Record<string, unknown>; measuredAt: TimeSpec; seq: 'index' | { hostile: unknown } } | { raw: unknown };
type MessageSpec = { single: ReadingSpec } | { batch: ReadingSpec[]; extra?: Record<string, unknown> } | { bytes: string };

const timeSpec: fc.Arbitrary<TimeSpec> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ offsetMs: fc.integer({ min: -400 * DAY_MS, max: 4 * 60_000 }) }) },
  { weight: 1, arbitrary: fc.record({ offsetMs: fc.integer({ min: 6 * 60_000, max: 3650 * DAY_MS }) }) },
  { weight: 1, arbitrary: fc.record({ offsetMs: fc.integer({ min: -40 * 365 * DAY_MS, max: -27 * 365 * DAY_MS }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      literal: fc.constantFrom(
        '2000-01-01T00:00:00Z',
        '1999-12-31T23:59:59.999Z',
        '2000-01-01T00:30:00+01:00',
        '0001-01-01T00:00:00+14:00',
        '1970-01-01T00:00:00Z',
        '1677-09-21T00:12:43.145224192Z',
        '2262-04-11T23:47:16.854775807Z',
        '9999-12-31T23:59:59-23:59',
        '2001-01-03T12:00:00+14:00',
        '2001-01-05T08:00:00.123456789Z',
        '2024-02-29T12:00:00Z',
        '2026-02-29T12:00:00Z',
        '2026-01-01T00:00:00',
        '２０２６-01-01T00:00:00Z',
        '',
        1735689600000,
        null,
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      literal: fc.date({ min: new Date('1600-01-01'), max: new Date('2300-01-01'), noInvalidDate: true }).map((date) => date.toISOString()),
    }),
  },
);

const number: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 320 }) },
  { weight: 2, arbitrary: fc.double({ min: 0, max: 700, noNaN: true }) },
  { weight: 2, arbitrary: fc.constantFrom(POISON_HEART_RATE, 1e308, -1e308, 5e-324, -0, 0, 2 ** 53 + 2, 1e-7, 100.00000000000001, 99.99999999999999) },
  { weight: 1, arbitrary: fc.double() }, // Infinity and -Infinity become null in JSON
  { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 6 }), fc.boolean(), fc.constant(null), fc.constant([70])) },
);
const text = (...choices: string[]) =>
  fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...choices) }, { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) });

const fields: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ metric: fc.constant('heart_rate'), value: number, unit: text('bpm') }),
  fc.record(
    { metric: fc.constant('glucose'), value: number, unit: text('mg/dL', 'mmol/L'), source: text('meter', 'cgm') },
    { requiredKeys: ['metric', 'value', 'unit'] },
  ),
  fc.record(
    { metric: fc.constant('blood_pressure'), systolic: number, diastolic: number, pulse: number, unit: text('mmHg', 'kPa') },
    { requiredKeys: ['metric', 'systolic', 'diastolic', 'unit'] },
  ),
  fc.record({ metric: fc.constant('spo2'), value: number, unit: text('%') }),
  fc.record({ metric: fc.constant('steps'), value: number, unit: text('steps'), periodSeconds: number }, { requiredKeys: ['metric', 'value', 'unit'] }),
  fc.record({ metric: fc.string({ unit: 'grapheme', maxLength: 10 }), value: number, unit: fc.string({ maxLength: 4 }) }),
  fc.record({ metric: fc.constant('heart_rate'), value: number, unit: fc.constant('bpm'), [`extra\u0000`]: fc.string({ maxLength: 4 }) }),
);

/** Plausible readings with clocks that are right: most devices, most of the time. */
const plausibleFields: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ metric: fc.constant('heart_rate'), value: fc.integer({ min: 20, max: 300 }), unit: fc.constant('bpm') }),
  fc.record({
    metric: fc.constant('glucose'),
    value: fc.double({ min: 40, max: 400, noNaN: true }),
    unit: fc.constant('mg/dL'),
    source: fc.constantFrom('meter', 'cgm'),
  }),
  fc.record({ metric: fc.constant('spo2'), value: fc.integer({ min: 50, max: 100 }), unit: fc.constant('%') }),
);
const rightClock: fc.Arbitrary<TimeSpec> = fc.record({ offsetMs: fc.integer({ min: -400 * DAY_MS, max: 4 * 60_000 }) });

const readingSpec: fc.Arbitrary<ReadingSpec> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ fields: plausibleFields, measuredAt: rightClock, seq: fc.constant('index' as const) }) },
  { weight: 8, arbitrary: fc.record({ fields, measuredAt: timeSpec, seq: fc.constant('index' as const) }) },
  { weight: 1, arbitrary: fc.record({ fields, measuredAt: timeSpec, seq: fc.record({ hostile: fc.constantFrom(-1, 1.5, 2 ** 32, '3', null, 1e308) }) }) },
  { weight: 1, arbitrary: fc.record({ raw: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(null)) }) },
  // Valid at the gateway, refused by either store's poison: exercises the quarantine.
  {
    weight: 1,
    arbitrary: fc.constant({
      fields: { metric: 'heart_rate', value: POISON_HEART_RATE, unit: 'bpm' },
      measuredAt: { literal: '2001-01-03T12:00:00Z' },
      seq: 'index' as const,
    }),
  },
);

const messageSpec: fc.Arbitrary<MessageSpec> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ single: readingSpec }) },
  { weight: 5, arbitrary: fc.record({ batch: fc.array(readingSpec, { minLength: 1, maxLength: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ batch: fc.array(readingSpec, { minLength: 0, maxLength: 2 }), extra: fc.constant({ sentBy: 'firmware 0.1' }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      bytes: fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('{"metric":', '\u0000', 'null', '[]', '{"readings":null}', '\ud800')),
    }),
  },
);

function renderTime(spec: TimeSpec): unknown {
  return 'offsetMs' in spec ? new Date(Date.now() + spec.offsetMs).toISOString() : spec.literal;
}

function renderReading(spec: ReadingSpec, seq: number): unknown {
  if ('raw' in spec) return spec.raw;
  return { ...spec.fields, measuredAt: renderTime(spec.measuredAt), seq: spec.seq === 'index' ? seq : spec.seq.hostile };
}

/** The payload and how many readings it holds (indices the gateway answers for). */
function renderMessage(spec: MessageSpec, seqBase: number): { payload: string; items: number } {
  if ('bytes' in spec) return { payload: spec.bytes, items: 1 };
  if ('single' in spec) return { payload: JSON.stringify(renderReading(spec.single, seqBase)), items: 1 };
  const readings = spec.batch.map((reading, index) => renderReading(reading, seqBase + index));
  return { payload: JSON.stringify({ readings, ...spec.extra }), items: Math.max(1, readings.length) };
}

interface StoreUnderTest {
  env: () => Record<string, string>;
  /** Makes the store itself refuse some valid readings, as a real installation might. */
  poison: (databaseUrl: string, env: Record<string, string>) => Promise<void>;
  storedSeqs: (databaseUrl: string, env: Record<string, string>, deviceId: string) => Promise<number[]>;
}

const postgresStore: StoreUnderTest = {
  env: () => ({}),
  poison: async (databaseUrl) => {
    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    await sql.query(`
      CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.metric = 'heart_rate' AND (NEW."values"->>'value')::numeric = ${POISON_HEART_RATE} THEN
          RAISE EXCEPTION 'heart rate ${POISON_HEART_RATE} refused by site policy' USING ERRCODE = '22023';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_poison BEFORE INSERT ON readings FOR EACH ROW EXECUTE FUNCTION refuse_poison();
    `);
    await sql.end();
  },
  storedSeqs: async (databaseUrl, _env, deviceId) => {
    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    try {
      return (await sql.query('SELECT seq FROM readings WHERE device_id = $1', [deviceId])).rows.map((row) => Number(row.seq));
    } finally {
      await sql.end();
    }
  },
};

const influxQl = async (env: Record<string, string>, q: string, method: 'GET' | 'POST' = 'GET') => {
  const response = await fetch(`${env.INFLUX_URL}/query?${new URLSearchParams({ db: env.INFLUX_DATABASE, q })}`, { method });
  return (await response.json()) as { results: { series?: { values: unknown[][] }[] }[] };
};

const influxStore: StoreUnderTest = {
  env: () => ({ INFLUX_URL: testServices().influxUrl, INFLUX_DATABASE: uniqueInfluxDatabase() }),
  poison: async (_databaseUrl, env) => {
    // Another writer put heart_rate.value as a string into one week's shard: floats there are refused.
    await influxQl(env, `CREATE DATABASE "${env.INFLUX_DATABASE}"`, 'POST');
    const write = await fetch(`${env.INFLUX_URL}/write?db=${env.INFLUX_DATABASE}&precision=ms`, {
      method: 'POST',
      body: `heart_rate,patient_id=someone,device_id=legacy value="high" ${Date.parse(POISONED_WEEK)}`,
    });
    if (write.status !== 204) throw new Error(`could not poison InfluxDB: ${write.status}`);
  },
  storedSeqs: async (_databaseUrl, env, deviceId) => {
    const result = await influxQl(env, `SELECT "seq" FROM /.*/ WHERE "device_id" = '${deviceId}'`);
    return (result.results[0].series ?? []).flatMap((series) => series.values.map((row) => Number(row[1])));
  },
};

describe.each([
  ['PostgreSQL', postgresStore],
  ['InfluxDB', influxStore],
])('property: nothing acknowledged is lost or blocks the pipeline (%s store)', (storeName, store) => {
  let databaseUrl: string;
  let storeEnv: Record<string, string>;
  let gateway: AppProcess;
  let announcements: AnnouncementListener;
  let devices: { credential: { deviceId: string; secret: string }; connection: ListeningDevice }[];
  let sql: Client;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    storeEnv = store.env();
    await store.poison(databaseUrl, storeEnv);
    const clinic = await createClinic(databaseUrl, 'property');
    const credentials = await registerDevices(databaseUrl, clinic.patientId, 8);
    const underTest = await gatewayEnv(databaseUrl, storeEnv);
    gateway = await AppProcess.start('gateway', underTest.env, underTest.mqttPort);
    announcements = await AnnouncementListener.start(underTest.mqttUrl);
    devices = await Promise.all(
      credentials.map(async (credential) => ({ credential, connection: await connectListeningDevice(underTest.mqttUrl, credential) })),
    );
    sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
  });

  afterAll(async () => {
    await Promise.all((devices ?? []).map(({ connection }) => connection.client.endAsync(true)));
    await announcements?.close();
    await sql?.end();
    await gateway?.stop();
  });

  it('every acknowledged reading ends up stored or quarantined with a reason, every refused one has a reason, and the readings after it are stored', async () => {
    let run = 0;
    const startedAt = Date.now();
    const seen = { stored: 0, quarantined: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(messageSpec, async (spec) => {
        run++;
        const { credential, connection } = devices[run % devices.length];
        const deviceId = credential.deviceId;
        const seqBase = run * 1000;
        const { payload, items } = renderMessage(spec, seqBase);
        const repliesBefore = connection.replies.length;

        await connection.client.publishAsync(deviceReadingsTopic(deviceId), payload, { qos: 1 });
        const sentinel = { metric: 'heart_rate', value: 66, unit: 'bpm', measuredAt: new Date(Date.now() - 1000).toISOString(), seq: seqBase + SENTINEL };
        await connection.client.publishAsync(deviceReadingsTopic(deviceId), JSON.stringify(sentinel), { qos: 1 });
        // Announced after the store took it and after anything refused before it was committed to quarantine.
        await waitFor('the sentinel announced', async () => (announcements.keys.has(`${deviceId}#${seqBase + SENTINEL}`) ? true : undefined), 15_000, 20);

        const inRun = (seq: number) => seq >= seqBase && seq < seqBase + SENTINEL;
        const stored = (await store.storedSeqs(databaseUrl, storeEnv, deviceId)).filter((seq) => inRun(seq) || seq === seqBase + SENTINEL);
        const quarantined = (
          await sql.query(`SELECT (reading->>'seq')::bigint AS seq, reason FROM quarantined_readings WHERE device_id = $1 AND replayed_at IS NULL`, [deviceId])
        ).rows
          .map((row) => ({ seq: Number(row.seq), reason: row.reason as string }))
          .filter((row) => inRun(row.seq));
        const replies: DeviceReply[] = connection.replies.slice(repliesBefore);

        expect(stored).toContain(seqBase + SENTINEL);
        expect(replies.length).toBeLessThanOrEqual(1);
        const reply = replies[0];
        const refused = new Set((reply?.rejected ?? []).map((item) => item.index));
        for (const item of reply?.rejected ?? []) {
          expect(REJECTION_CODES).toContain(item.code);
          expect(item.message.length).toBeGreaterThan(0);
        }
        for (const row of quarantined) expect(row.reason.length).toBeGreaterThan(0);

        const storedIndices = stored.filter(inRun).map((seq) => seq - seqBase);
        const quarantinedIndices = quarantined.map((row) => row.seq - seqBase);
        const kept = new Set([...storedIndices, ...quarantinedIndices]);
        expect(storedIndices.filter((index) => quarantinedIndices.includes(index))).toEqual([]); // never both
        expect([...kept].filter((index) => refused.has(index))).toEqual([]); // refused means not kept
        // What the gateway said it took is exactly what reached the store or the quarantine.
        expect(kept.size).toBe(reply ? reply.accepted : items);
        if (reply && reply.accepted > 0) {
          expect([...kept, ...refused].sort((a, b) => a - b)).toEqual(Array.from({ length: items }, (_, index) => index));
        }
        if (reply) expect(reply.rejected.length).toBeGreaterThan(0);
        seen.stored += storedIndices.length;
        seen.quarantined += quarantinedIndices.length;
        seen.refused += refused.size;
      }),
      { numRuns: 40, interruptAfterTimeLimit: 90_000, markInterruptAsFailure: true },
    );
    expect(Date.now() - startedAt).toBeLessThan(90_000);
    // The generators reach every outcome, so the property above was not checked vacuously.
    expect(seen).toEqual({ stored: expect.any(Number), quarantined: expect.any(Number), refused: expect.any(Number) });
    expect(Math.min(seen.stored, seen.quarantined, seen.refused)).toBeGreaterThan(0);
    process.stderr.write(
      `property (${storeName}): ${run} messages, readings stored ${seen.stored}, quarantined ${seen.quarantined}, refused ${seen.refused}\n`,
    );
  }, 180_000);
});
