import type { NormalizedReading } from '@rpm/contracts';
import { Pool } from 'pg';
import type { AggregateQuery, ReadingBucket, ReadingQuery, ReadingStore, WriteResult } from './reading-store';
import { ReadingStoreRejection, isPostgresDataError } from './reading-store-rejection';

const COLUMNS = 10;

/** The embedded default: readings in a PostgreSQL table created by the migrations. */
export class PostgresReadingStore implements ReadingStore {
  private readonly pool: Pool;

  constructor(databaseUrl: string) {
    this.pool = new Pool({ connectionString: databaseUrl, max: 4 });
    // An idle connection the server closed (restart, failover) is replaced on the next query; without a
    // listener the pool's 'error' event would crash the process.
    this.pool.on('error', () => undefined);
  }

  async init(): Promise<void> {
    await this.pool.query('SELECT 1 FROM readings LIMIT 0');
  }

  async write(readings: readonly NormalizedReading[]): Promise<WriteResult> {
    if (readings.length === 0) return { alreadyStored: [] };
    const params: unknown[] = [];
    const rows = readings.map((reading, row) => {
      params.push(
        reading.patientId,
        reading.deviceId,
        reading.metric,
        reading.measuredAt,
        reading.receivedAt,
        reading.seq,
        reading.unit,
        JSON.stringify(reading.values),
        JSON.stringify(reading.original),
        JSON.stringify(reading.context),
      );
      const base = row * COLUMNS;
      return `(${Array.from({ length: COLUMNS }, (_, column) => `$${base + column + 1}`).join(',')})`;
    });
    // RETURNING names the rows actually inserted: the others were already stored (the conflict target is the
    // reading's identity). A reading twice in one statement is inserted once and conflicts the second time.
    // The identity comes back as one text column in array mode: the least the client has to parse.
    const inserted = await this.pool
      .query<[string]>({
        text: `INSERT INTO readings (patient_id, device_id, metric, measured_at, received_at, seq, unit, "values", original, context)
       VALUES ${rows.join(',')}
       ON CONFLICT (device_id, metric, measured_at, (COALESCE(seq, -1))) DO NOTHING
       RETURNING device_id || '|' || metric || '|' || floor(extract(epoch FROM measured_at) * 1000)::bigint || '|' || COALESCE(seq, -1)`,
        values: params,
        rowMode: 'array',
      })
      .catch((error: unknown) => {
        if (isPostgresDataError(error)) throw new ReadingStoreRejection(`PostgreSQL ${error.code}: ${error.message}`, { cause: error });
        throw error;
      });
    // Live traffic: everything new, nothing to match.
    if (inserted.rows.length === readings.length) return { alreadyStored: readings.map(() => false) };
    const newRows = new Map<string, number>();
    for (const [key] of inserted.rows) newRows.set(key, (newRows.get(key) ?? 0) + 1);
    return {
      alreadyStored: readings.map((reading) => {
        const key = `${reading.deviceId}|${reading.metric}|${Date.parse(reading.measuredAt)}|${reading.seq ?? -1}`;
        const left = newRows.get(key) ?? 0;
        if (left === 0) return true;
        newRows.set(key, left - 1);
        return false;
      }),
    };
  }

  async query(query: ReadingQuery): Promise<NormalizedReading[]> {
    const params: unknown[] = [query.patientId, query.from, query.to, query.limit];
    const metricFilter = query.metric ? `AND metric = $${params.push(query.metric)}` : '';
    const result = await this.pool.query(
      `SELECT patient_id, device_id, metric, measured_at, received_at, seq, unit, "values", original, context
         FROM readings
        WHERE patient_id = $1 AND measured_at >= $2 AND measured_at < $3 ${metricFilter}
        ORDER BY measured_at, device_id, metric
        LIMIT $4`,
      params,
    );
    return result.rows.map((row) => ({
      patientId: row.patient_id,
      deviceId: row.device_id,
      metric: row.metric,
      measuredAt: (row.measured_at as Date).toISOString(),
      receivedAt: (row.received_at as Date).toISOString(),
      seq: row.seq === null ? null : Number(row.seq),
      unit: row.unit,
      values: row.values,
      original: row.original,
      context: row.context,
    }));
  }

  async aggregate(query: AggregateQuery): Promise<ReadingBucket[]> {
    const result = await this.pool.query<{ bucket_start: Date; field: string; count: string; min: number; mean: number; max: number }>(
      `SELECT date_bin(make_interval(mins => $5), measured_at, $3::timestamptz) AS bucket_start, field.key AS field,
              count(*) AS count, min(field.value::float8) AS min, avg(field.value::float8) AS mean, max(field.value::float8) AS max
         FROM readings, jsonb_each_text("values") AS field
        WHERE patient_id = $1 AND metric = $2 AND measured_at >= $3 AND measured_at < $4
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [query.patientId, query.metric, query.from, query.to, query.bucketMinutes],
    );
    const buckets = new Map<string, ReadingBucket>();
    for (const row of result.rows) {
      const bucketStart = row.bucket_start.toISOString();
      const bucket = buckets.get(bucketStart) ?? { bucketStart, count: 0, fields: {} };
      bucket.count = Math.max(bucket.count, Number(row.count));
      bucket.fields[row.field] = { min: row.min, mean: Math.round(row.mean * 10) / 10, max: row.max };
      buckets.set(bucketStart, bucket);
    }
    return [...buckets.values()];
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
