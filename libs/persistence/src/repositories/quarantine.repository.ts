import type { NormalizedReading } from '@rpm/contracts';
import type { DataSource } from 'typeorm';

export interface RefusedReading {
  reading: NormalizedReading;
  reason: string;
}

export interface QuarantinedReading {
  id: string;
  deviceId: string;
  reading: NormalizedReading;
  reason: string;
  store: string;
  attempts: number;
  quarantinedAt: Date;
  replayRequestedAt: Date | null;
  replayedAt: Date | null;
}

/** A reading's identity in the stores (device, metric, instant, seq): the same reading refused twice is one row. */
export const quarantineKey = (reading: NormalizedReading): string =>
  `${reading.deviceId}|${reading.metric}|${Date.parse(reading.measuredAt)}|${reading.seq ?? ''}`;

/**
 * The dead-letter table for readings the time-series store refused for their content (quarantined_readings).
 * The gateway's drainer commits rows here before it releases the readings from its spool, so an acknowledged
 * reading is always in the spool, in the store or here; an operator lists them and asks for a replay.
 */
export class QuarantineRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Durable once resolved. A reading already here (a replay refused again) takes the new reason and is pending again. */
  async add(refused: readonly RefusedReading[], store: string): Promise<void> {
    // One row per key: ON CONFLICT DO UPDATE may not touch the same row twice in one statement.
    const entries = [...new Map(refused.map((entry) => [quarantineKey(entry.reading), entry])).entries()];
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
        store,
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

  /** Waiting readings in arrival order; with `includeReplayed`, those already replayed too. */
  async list(includeReplayed: boolean): Promise<QuarantinedReading[]> {
    const rows: {
      id: string;
      device_id: string;
      reading: NormalizedReading;
      reason: string;
      store: string;
      attempts: number;
      quarantined_at: Date;
      replay_requested_at: Date | null;
      replayed_at: Date | null;
    }[] = await this.dataSource.query(
      `SELECT id, device_id, reading, reason, store, attempts, quarantined_at, replay_requested_at, replayed_at
         FROM quarantined_readings ${includeReplayed ? '' : 'WHERE replayed_at IS NULL'} ORDER BY id`,
    );
    return rows.map((row) => ({
      id: row.id,
      deviceId: row.device_id,
      reading: row.reading,
      reason: row.reason,
      store: row.store,
      attempts: row.attempts,
      quarantinedAt: row.quarantined_at,
      replayRequestedAt: row.replay_requested_at,
      replayedAt: row.replayed_at,
    }));
  }

  /** Marks waiting readings (these ids, or all) for the gateway's replayer; returns the ids marked. */
  async requestReplay(ids: readonly string[] | 'all'): Promise<string[]> {
    // TypeORM answers an UPDATE with [rows, affected count].
    const [rows]: [{ id: string }[], number] = await this.dataSource.query(
      `UPDATE quarantined_readings SET replay_requested_at = now()
        WHERE replayed_at IS NULL ${ids === 'all' ? '' : 'AND id = ANY($1::bigint[])'} RETURNING id`,
      ids === 'all' ? [] : [ids],
    );
    return rows.map((row) => row.id);
  }
}
