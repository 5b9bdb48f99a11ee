import { Inject, Injectable } from '@nestjs/common';
import type { NormalizedReading } from '@rpm/contracts';
import { DataSource } from 'typeorm';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config';

export interface RefusedReading {
  reading: NormalizedReading;
  reason: string;
}

/** A reading's identity in the stores (device, metric, instant, seq): the same reading refused twice is one row. */
export const readingKey = (reading: NormalizedReading): string =>
  `${reading.deviceId}|${reading.metric}|${Date.parse(reading.measuredAt)}|${reading.seq ?? ''}`;

/**
 * The dead-letter table for readings the store refused for their content (quarantined_readings in the
 * platform database). Rows are committed before the drainer releases the readings from the spool, so an
 * acknowledged reading is always either in the spool, in the store or here.
 */
@Injectable()
export class ReadingQuarantine {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** Durable once resolved. A reading already here (a replay refused again) takes the new reason and is pending again. */
  async add(refused: readonly RefusedReading[]): Promise<void> {
    // One row per key: ON CONFLICT DO UPDATE may not touch the same row twice in one statement.
    const byKey = new Map(refused.map((entry) => [readingKey(entry.reading), entry]));
    const entries = [...byKey.entries()];
    await this.dataSource.query(
      `INSERT INTO quarantined_readings (reading_key, device_id, patient_id, reading, reason, store)
       SELECT key, device_id, patient_id, reading, reason, $6
         FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::text[]) AS r (key, device_id, patient_id, reading, reason)
       ON CONFLICT (reading_key) DO UPDATE
         SET reading = EXCLUDED.reading, reason = EXCLUDED.reason, store = EXCLUDED.store,
             attempts = quarantined_readings.attempts + 1, quarantined_at = now(), replay_requested_at = NULL, replayed_at = NULL`,
      [
        entries.map(([key]) => key),
        entries.map(([, entry]) => entry.reading.deviceId),
        entries.map(([, entry]) => entry.reading.patientId),
        entries.map(([, entry]) => JSON.stringify(entry.reading)),
        entries.map(([, entry]) => entry.reason),
        this.config.timeseries.kind,
      ],
    );
  }

  /**
   * Hands rows an operator asked to replay to `spool`, marking them replayed in the same transaction: if
   * the spool refuses, nothing is marked; if the commit fails after the spool took them, they are replayed
   * twice, which the store absorbs. A drainer refusing them again waits for this commit, then re-quarantines.
   */
  async replayRequested(spool: (readings: NormalizedReading[]) => Promise<void>, max: number): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows: { id: string; reading: NormalizedReading }[] = await manager.query(
        `SELECT id, reading FROM quarantined_readings
          WHERE replay_requested_at IS NOT NULL AND replayed_at IS NULL
          ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [max],
      );
      if (rows.length === 0) return 0;
      await manager.query('UPDATE quarantined_readings SET replayed_at = now(), replay_requested_at = NULL WHERE id = ANY($1::bigint[])', [
        rows.map((row) => row.id),
      ]);
      await spool(rows.map((row) => row.reading));
      return rows.length;
    });
  }
}
