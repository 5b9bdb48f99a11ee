import { InfluxDB, Point } from '@influxdata/influxdb-client';
import { METRICS, type NormalizedReading } from '@rpm/contracts';
import type { AggregateQuery, ReadingBucket, ReadingQuery, ReadingStore, WriteResult } from './reading-store';
import { ReadingStoreRejection, isInfluxDataError } from './reading-store-rejection';

export interface InfluxConnection {
  url: string;
  database: string;
  /** InfluxDB 2.x / 3.x. */
  token?: string;
  /** InfluxDB 1.x. */
  username?: string;
  password?: string;
  timeoutMs?: number;
}

const ORIGINAL_PREFIX = 'original_';
/** The canonical numeric fields of each metric, for aggregation. */
const AGGREGATED_FIELDS: Record<NormalizedReading['metric'], string[]> = {
  glucose: ['value'],
  blood_pressure: ['systolic', 'diastolic', 'pulse'],
  heart_rate: ['value'],
  spo2: ['value'],
  steps: ['value'],
};
const CONTEXT_PREFIX = 'context_';
const TAG_COLUMNS = new Set(['patient_id', 'device_id']);

/**
 * The point's time is measuredAt in microseconds plus (seq mod 1000) microseconds: a point's identity in
 * InfluxDB is series + time, so the same reading written twice is one point, while two readings of one
 * device in the same millisecond that differ by sequence number stay two points.
 */
function pointTimeMicros(reading: NormalizedReading): string {
  const micros = BigInt(Date.parse(reading.measuredAt)) * 1000n + BigInt((reading.seq ?? 0) % 1000);
  return micros.toString();
}

/** A device's series of one metric: what the high-water mark is kept for. */
const seriesKey = (reading: NormalizedReading) => `${reading.deviceId}\u0000${reading.metric}`;

/** pointTimeMicros as a number: exact, since microseconds up to 9999-12-31 stay below 2^53. */
const pointMicros = (reading: NormalizedReading): number => Date.parse(reading.measuredAt) * 1000 + ((reading.seq ?? 0) % 1000);

function toPoint(reading: NormalizedReading): string {
  const point = new Point(reading.metric)
    .tag('patient_id', reading.patientId)
    .tag('device_id', reading.deviceId)
    .stringField('unit', reading.unit)
    .stringField(`${ORIGINAL_PREFIX}unit`, reading.original.unit)
    .intField('received_at_ms', Date.parse(reading.receivedAt))
    .timestamp(pointTimeMicros(reading));
  if (reading.seq !== null) point.intField('seq', reading.seq);
  for (const [name, value] of Object.entries(reading.values)) point.floatField(name, value);
  for (const [name, value] of Object.entries(reading.original.values)) point.floatField(`${ORIGINAL_PREFIX}${name}`, value);
  for (const [name, value] of Object.entries(reading.context)) point.stringField(`${CONTEXT_PREFIX}${name}`, value);
  const line = point.toLineProtocol();
  if (!line) throw new Error(`reading of ${reading.metric} produced no line protocol`);
  return line;
}

/** The server's own message ({"error": "..."} in 1.x, {"message": "..."} in 2.x/3.x), else the client's. */
function influxErrorText(error: Error & { json?: { error?: unknown; message?: unknown }; body?: string }): string {
  const text = error.json?.error ?? error.json?.message ?? error.body ?? error.message;
  return String(text).trim();
}

interface InfluxQlSeries {
  name: string;
  columns: string[];
  values: unknown[][];
}
interface InfluxQlResponse {
  results: { statement_id: number; series?: InfluxQlSeries[]; error?: string }[];
  error?: string;
}

function fromRow(metric: string, columns: string[], row: unknown[]): NormalizedReading {
  const reading: NormalizedReading = {
    patientId: '',
    deviceId: '',
    metric: metric as NormalizedReading['metric'],
    measuredAt: '',
    receivedAt: '',
    seq: null,
    unit: '',
    values: {},
    original: { unit: '', values: {} },
    context: {},
  };
  columns.forEach((column, index) => {
    const value = row[index];
    if (value === null || value === undefined) return;
    if (column === 'time') reading.measuredAt = new Date(Math.floor(Number(value) / 1000)).toISOString();
    else if (column === 'patient_id') reading.patientId = String(value);
    else if (column === 'device_id') reading.deviceId = String(value);
    else if (column === 'received_at_ms') reading.receivedAt = new Date(Number(value)).toISOString();
    else if (column === 'seq') reading.seq = Number(value);
    else if (column === 'unit') reading.unit = String(value);
    else if (column === `${ORIGINAL_PREFIX}unit`) reading.original.unit = String(value);
    else if (column.startsWith(ORIGINAL_PREFIX)) reading.original.values[column.slice(ORIGINAL_PREFIX.length)] = Number(value);
    else if (column.startsWith(CONTEXT_PREFIX)) reading.context[column.slice(CONTEXT_PREFIX.length)] = String(value);
    else if (!TAG_COLUMNS.has(column)) reading.values[column] = Number(value);
  });
  return reading;
}

/**
 * InfluxDB through line-protocol writes (/write) and InfluxQL reads (/query): the subset that
 * InfluxDB 1.x, 2.x (v1 compatibility API) and 3.x all serve.
 */
export class InfluxReadingStore implements ReadingStore {
  private readonly influx: InfluxDB;
  private readonly headers: Record<string, string> = {};

  constructor(private readonly connection: InfluxConnection) {
    this.influx = new InfluxDB({ url: connection.url, token: connection.token, timeout: connection.timeoutMs ?? 10_000 });
    if (connection.username && connection.password) {
      const basic = Buffer.from(`${connection.username}:${connection.password}`).toString('base64');
      this.headers.authorization = `Basic ${basic}`;
    }
  }

  private ready?: Promise<void>;

  /** Idempotent; a failed attempt is retried by the next call, so a store that starts late still works. */
  init(): Promise<void> {
    this.ready ??= this.createDatabase().catch((error: Error) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private async createDatabase(): Promise<void> {
    // 2.x maps a bucket to a database and 3.x creates one on first write; only 1.x needs CREATE DATABASE.
    if (this.connection.token) return;
    await this.influxQl(`CREATE DATABASE "${this.connection.database}"`, {}, 'POST');
  }

  /**
   * Per device and metric, the latest point time this store has written (microseconds). InfluxDB overwrites
   * a point silently, so telling a new reading from one already stored takes a read; only readings at or
   * before this mark can already be there, so live readings (each later than the last) cost no read. After a
   * restart the first write of each device and metric reads its latest stored point once to set the mark.
   */
  private readonly highWater = new Map<string, number>();

  async write(readings: readonly NormalizedReading[]): Promise<WriteResult> {
    if (readings.length === 0) return { alreadyStored: [] };
    await this.init();
    let body: string;
    try {
      body = readings.map(toPoint).join('\n');
    } catch (error) {
      // The client library refuses values line protocol cannot carry (a non-finite float, say).
      throw new ReadingStoreRejection(`not representable in line protocol: ${(error as Error).message}`, { cause: error });
    }
    const alreadyStored = await this.alreadyStored(readings);
    const query = new URLSearchParams({ db: this.connection.database, precision: 'u' });
    await this.influx.transport
      .request(`/write?${query}`, body, {
        method: 'POST',
        headers: { ...this.headers, 'content-type': 'text/plain; charset=utf-8' },
      })
      .catch((error: unknown) => {
        if (isInfluxDataError(error)) throw new ReadingStoreRejection(`InfluxDB ${error.statusCode}: ${influxErrorText(error)}`, { cause: error });
        throw error;
      });
    return { alreadyStored };
  }

  /** For each device and metric not seen since start, the latest point the store holds (once per process). */
  private async learnHighWater(readings: readonly NormalizedReading[]): Promise<void> {
    const unknown = new Map<string, NormalizedReading>();
    for (const reading of readings) if (!this.highWater.has(seriesKey(reading))) unknown.set(seriesKey(reading), reading);
    for (const [key, { deviceId, metric }] of unknown) {
      const response = await this.influxQl(`SELECT last("unit") FROM "${metric}" WHERE "device_id" = $deviceId`, { deviceId }, 'GET');
      const latest = response.results[0]?.series?.[0]?.values[0]?.[0];
      this.highWater.set(key, latest === undefined || latest === null ? -1 : Number(latest));
    }
  }

  /** Which readings the store holds already: one read per device and metric with readings at or before its mark. */
  private async alreadyStored(readings: readonly NormalizedReading[]): Promise<boolean[]> {
    const result = readings.map(() => false);
    await this.learnHighWater(readings);
    // Per device and metric: the mark before this write, the point times seen in it, the latest of them.
    const series = new Map<string, { mark: number; seen: Set<number>; latest: number; toCheck: number[] }>();
    readings.forEach((reading, index) => {
      const key = seriesKey(reading);
      let state = series.get(key);
      if (!state) {
        state = { mark: this.highWater.get(key) ?? -1, seen: new Set(), latest: -1, toCheck: [] };
        series.set(key, state);
      }
      const time = pointMicros(reading);
      // The same point twice in one write is one point: the second is not new.
      if (state.seen.has(time)) {
        result[index] = true;
        return;
      }
      state.seen.add(time);
      if (time > state.latest) state.latest = time;
      if (time <= state.mark) state.toCheck.push(index);
    });
    for (const [key, state] of series) {
      // Raised before the write lands: if it fails, a retry reads the store for these readings and finds them absent.
      if (state.latest > state.mark) this.highWater.set(key, state.latest);
      if (state.toCheck.length === 0) continue;
      const { deviceId, metric } = readings[state.toCheck[0]];
      const times = state.toCheck.map((index) => Date.parse(readings[index].measuredAt));
      const response = await this.influxQl(
        `SELECT "unit" FROM "${metric}" WHERE "device_id" = $deviceId AND time >= $from AND time < $to`,
        {
          deviceId,
          from: new Date(Math.min(...times)).toISOString(),
          // Point times carry up to 999 µs past the millisecond (the seq offset): end after the last millisecond.
          to: new Date(Math.max(...times) + 1).toISOString(),
        },
        'GET',
      );
      const existing = new Set((response.results[0]?.series ?? []).flatMap((found) => found.values.map((row) => Number(row[0]))));
      for (const index of state.toCheck) if (existing.has(pointMicros(readings[index]))) result[index] = true;
    }
    return result;
  }

  async query(query: ReadingQuery): Promise<NormalizedReading[]> {
    await this.init();
    const metrics = query.metric ? [query.metric] : METRICS;
    const limit = Math.max(1, Math.floor(query.limit));
    const response = await this.influxQl(
      `SELECT * FROM ${metrics.map((metric) => `"${metric}"`).join(',')}
        WHERE "patient_id" = $patientId AND time >= $from AND time < $to
        ORDER BY time ASC LIMIT ${limit}`,
      { patientId: query.patientId, from: query.from.toISOString(), to: query.to.toISOString() },
      'GET',
    );
    const readings = (response.results[0]?.series ?? []).flatMap((series) => series.values.map((row) => fromRow(series.name, series.columns, row)));
    readings.sort((a, b) => a.measuredAt.localeCompare(b.measuredAt) || a.deviceId.localeCompare(b.deviceId) || a.metric.localeCompare(b.metric));
    return readings.slice(0, limit);
  }

  async aggregate(query: AggregateQuery): Promise<ReadingBucket[]> {
    await this.init();
    const fields = AGGREGATED_FIELDS[query.metric];
    const selections = fields.flatMap((field) => [
      `min("${field}") AS "${field}_min"`,
      `mean("${field}") AS "${field}_mean"`,
      `max("${field}") AS "${field}_max"`,
    ]);
    const minutes = Math.max(1, Math.floor(query.bucketMinutes));
    // Bucket boundaries are aligned to `from` (InfluxQL's offset), as PostgreSQL's date_bin aligns them.
    const offsetMinutes = Math.floor(query.from.getTime() / 60_000) % minutes;
    const response = await this.influxQl(
      `SELECT count("${fields[0]}") AS "count", ${selections.join(', ')} FROM "${query.metric}"
        WHERE "patient_id" = $patientId AND time >= $from AND time < $to
        GROUP BY time(${minutes}m, ${offsetMinutes}m) fill(none)`,
      { patientId: query.patientId, from: query.from.toISOString(), to: query.to.toISOString() },
      'GET',
    );
    const series = response.results[0]?.series?.[0];
    if (!series) return [];
    const column = (name: string) => series.columns.indexOf(name);
    return series.values.map((row) => ({
      bucketStart: new Date(Math.floor(Number(row[column('time')]) / 1000)).toISOString(),
      count: Number(row[column('count')]),
      fields: Object.fromEntries(
        fields
          .filter((field) => row[column(`${field}_mean`)] !== null)
          .map((field) => [
            field,
            {
              min: Number(row[column(`${field}_min`)]),
              mean: Math.round(Number(row[column(`${field}_mean`)]) * 10) / 10,
              max: Number(row[column(`${field}_max`)]),
            },
          ]),
      ),
    }));
  }

  async close(): Promise<void> {
    // The client holds no open connections between requests.
  }

  private async influxQl(statement: string, params: Record<string, string>, method: 'GET' | 'POST'): Promise<InfluxQlResponse> {
    const query = new URLSearchParams({ db: this.connection.database, q: statement, epoch: 'u', params: JSON.stringify(params) });
    const response = (await this.influx.transport.request(`/query?${query}`, '', { method, headers: this.headers })) as InfluxQlResponse;
    const error = response.error ?? response.results?.find((result) => result.error)?.error;
    if (error) throw new Error(`InfluxDB rejected the query: ${error}`);
    return response;
  }
}
