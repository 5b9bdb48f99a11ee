import { randomUUID } from 'node:crypto';
import type { NormalizedReading } from '@rpm/contracts';
import { createTestDatabase, testServices, uniqueInfluxDatabase } from '../../../test/support/test-services';
import { InfluxReadingStore } from './influx-reading-store';
import { PostgresReadingStore } from './postgres-reading-store';
import type { ReadingStore } from './reading-store';

type StoreFactory = () => Promise<ReadingStore>;

const factories: [string, StoreFactory][] = [
  ['InfluxDB (real influxd)', async () => new InfluxReadingStore({ url: testServices().influxUrl, database: uniqueInfluxDatabase() })],
  ['PostgreSQL (embedded default)', async () => new PostgresReadingStore(await createTestDatabase())],
];

function glucose(patientId: string, measuredAt: string, value: number, overrides: Partial<NormalizedReading> = {}): NormalizedReading {
  return {
    patientId,
    deviceId: 'meter-1',
    metric: 'glucose',
    measuredAt,
    receivedAt: '2026-11-22T08:00:05.000Z',
    seq: null,
    unit: 'mg/dL',
    values: { value },
    original: { unit: 'mg/dL', values: { value } },
    context: { source: 'meter' },
    ...overrides,
  };
}

describe.each(factories)('ReadingStore contract: %s', (_name, createStore) => {
  let store: ReadingStore;
  const window = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z'), limit: 100 };

  beforeAll(async () => {
    store = await createStore();
    await store.init();
  });
  afterAll(() => store.close());

  it('returns what was written, with canonical and original values, oldest first', async () => {
    const patientId = randomUUID();
    const mmol = glucose(patientId, '2026-11-22T07:00:00.000Z', 90.1, {
      seq: 17,
      original: { unit: 'mmol/L', values: { value: 5 } },
      context: { source: 'cgm', trend: 'steady' },
    });
    const bp: NormalizedReading = {
      patientId,
      deviceId: 'cuff-1',
      metric: 'blood_pressure',
      measuredAt: '2026-11-22T06:30:00.000Z',
      receivedAt: '2026-11-22T06:30:02.000Z',
      seq: null,
      unit: 'mmHg',
      values: { systolic: 142.5, diastolic: 91, pulse: 70 },
      original: { unit: 'kPa', values: { systolic: 19, diastolic: 12.13, pulse: 70 } },
      context: {},
    };
    await store.write([mmol, bp]);

    const all = await store.query({ ...window, patientId });
    expect(all).toEqual([bp, mmol]);
    expect(await store.query({ ...window, patientId, metric: 'glucose' })).toEqual([mmol]);
  });

  it('keeps one copy of a reading written twice', async () => {
    const patientId = randomUUID();
    const reading = glucose(patientId, '2026-11-22T07:05:00.000Z', 120, { seq: 3 });
    await store.write([reading]);
    await store.write([reading, reading]);
    expect(await store.query({ ...window, patientId })).toHaveLength(1);
  });

  it('says which readings of a write it already held: resends, history replayed behind newer readings, repeats within one write', async () => {
    const patientId = randomUUID();
    const deviceId = `meter-${randomUUID().slice(0, 8)}`;
    const at = (minute: number, seq: number | null = null) =>
      glucose(patientId, new Date(Date.UTC(2026, 10, 22, 6, minute)).toISOString(), 100 + minute, { deviceId, seq });
    expect(await store.write([at(0), at(10, 1), at(20, 2)])).toEqual({ alreadyStored: [false, false, false] });
    // Live: later than anything stored.
    expect(await store.write([at(30, 3)])).toEqual({ alreadyStored: [false] });
    // The latest resent (a lost PUBACK), older history replayed with a gap filled, and one reading twice in a write.
    expect(await store.write([at(30, 3), at(0), at(5), at(10, 1), at(10, 9), at(5)])).toEqual({
      alreadyStored: [true, true, false, true, false, true],
    });
    const stored = await store.query({ patientId, ...window });
    expect(stored).toHaveLength(6);
  });

  it('keeps two distinct readings taken in the same second', async () => {
    const patientId = randomUUID();
    await store.write([
      glucose(patientId, '2026-11-22T07:10:00.000Z', 120, { seq: 1 }),
      glucose(patientId, '2026-11-22T07:10:00.400Z', 121, { seq: 2 }),
      glucose(patientId, '2026-11-22T07:10:00.400Z', 122, { seq: 3 }),
    ]);
    const values = (await store.query({ ...window, patientId })).map((reading) => reading.values.value);
    expect(values.sort()).toEqual([120, 121, 122]);
  });

  it("returns only the asked patient's readings inside the range, up to the limit", async () => {
    const patientId = randomUUID();
    const otherPatient = randomUUID();
    await store.write([
      glucose(patientId, '2026-10-31T23:59:59.999Z', 100),
      glucose(patientId, '2026-11-10T00:00:00.000Z', 101),
      glucose(patientId, '2026-11-11T00:00:00.000Z', 102),
      glucose(patientId, '2026-12-01T00:00:00.000Z', 103),
      glucose(otherPatient, '2026-11-10T00:00:00.000Z', 999),
    ]);
    const inRange = await store.query({ ...window, patientId });
    expect(inRange.map((reading) => reading.values.value)).toEqual([101, 102]);
    expect((await store.query({ ...window, patientId, limit: 1 })).map((reading) => reading.values.value)).toEqual([101]);
  });

  it('returns nothing for a patient without readings', async () => {
    expect(await store.query({ ...window, patientId: randomUUID() })).toEqual([]);
  });

  it('aggregates each field into min, mean and max per bucket, leaving empty buckets out', async () => {
    const patientId = randomUUID();
    const at = (minutes: number) => new Date(Date.parse('2026-11-22T06:00:00Z') + minutes * 60_000).toISOString();
    await store.write([
      glucose(patientId, at(0), 100),
      glucose(patientId, at(20), 140),
      glucose(patientId, at(50), 120),
      glucose(patientId, at(130), 80),
      glucose(randomUUID(), at(10), 400),
    ]);
    const buckets = await store.aggregate({ patientId, metric: 'glucose', from: new Date(at(0)), to: new Date(at(180)), bucketMinutes: 60 });
    expect(buckets).toEqual([
      { bucketStart: at(0), count: 3, fields: { value: { min: 100, mean: 120, max: 140 } } },
      { bucketStart: at(120), count: 1, fields: { value: { min: 80, mean: 80, max: 80 } } },
    ]);
  });
});
