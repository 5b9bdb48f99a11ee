import { Inject, Injectable } from '@nestjs/common';
import type { NormalizedReading } from '@rpm/contracts';
import type { ThresholdFinding } from '@rpm/clinical';
import type { AlertReadingRef } from '@rpm/persistence';
import { DataSource } from 'typeorm';

const readingRef = (reading: NormalizedReading): AlertReadingRef => ({
  deviceId: reading.deviceId,
  metric: reading.metric,
  measuredAt: reading.measuredAt,
  seq: reading.seq,
  values: reading.values,
  unit: reading.unit,
});

/** Alert episodes in PostgreSQL; a unique index allows one live episode per patient and rule. */
@Injectable()
export class AlertRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /**
   * Opens an episode, or adds the reading to the live one. Idempotent: a redelivered reading is not
   * added twice, so a restart that replays unacknowledged messages creates no duplicate.
   */
  async recordFinding(reading: NormalizedReading, finding: ThresholdFinding): Promise<void> {
    const ref = JSON.stringify([readingRef(reading)]);
    await this.dataSource.query(
      `INSERT INTO alerts (patient_id, rule_id, rule_version, severity, status, title, reason, readings, opened_at, last_reading_at)
       VALUES ($1, $2, $3, $4, 'open', $5, $6, $7::jsonb, $8, $8)
       ON CONFLICT (patient_id, rule_id) WHERE status IN ('open', 'acknowledged')
       DO UPDATE SET
         readings = CASE WHEN alerts.readings @> EXCLUDED.readings THEN alerts.readings ELSE alerts.readings || EXCLUDED.readings END,
         last_reading_at = GREATEST(alerts.last_reading_at, EXCLUDED.last_reading_at)`,
      [reading.patientId, finding.ruleId, finding.ruleVersion, finding.severity, finding.title, finding.reason, ref, reading.measuredAt],
    );
  }

  /** Closes live episodes of these rules when a later reading no longer meets them. */
  async resolveRecovered(reading: NormalizedReading, ruleIds: readonly string[]): Promise<void> {
    if (ruleIds.length === 0) return;
    await this.dataSource.query(
      `UPDATE alerts SET status = 'resolved', resolved_at = $3
        WHERE patient_id = $1 AND rule_id = ANY($2) AND status IN ('open', 'acknowledged') AND last_reading_at < $3`,
      [reading.patientId, ruleIds, reading.measuredAt],
    );
  }
}
