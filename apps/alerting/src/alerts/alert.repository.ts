import { Inject, Injectable } from '@nestjs/common';
import type { RuleOutcome } from '@rpm/clinical';
import type { AlertReadingRef } from '@rpm/persistence';
import { DataSource } from 'typeorm';

const readingRef = (reading: RuleOutcome['evidence'][number]): AlertReadingRef => ({
  deviceId: reading.deviceId,
  metric: reading.metric,
  measuredAt: reading.measuredAt,
  seq: reading.seq,
  values: reading.values,
  unit: reading.unit,
});

/** Where a statement runs: the data source, or the transaction that applies one patient's outcomes. */
export interface Queryable {
  query<T = unknown>(sql: string, parameters?: unknown[]): Promise<T>;
}

export interface OpenedAlert {
  id: string;
  retrospective: boolean;
}

/**
 * Alert episodes in PostgreSQL. A unique index allows one live episode (open, acknowledged or snoozed) per
 * patient and rule, so concurrent evaluations, replays after a crash and several alerting instances all
 * land on the same row.
 */
@Injectable()
export class AlertRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /**
   * Opens an episode or extends the live one; returns the alert when this call opened it. A reading measured
   * within an episode already closed opens none: it is a replay (a redelivery after a crash, read ahead of
   * earlier events) or a late copy of what that episode covered. Window rules
   * (time in range, CV) fire with no evidence readings: jsonb_agg over no rows is NULL, hence the COALESCE.
   */
  async recordFiring(
    patientId: string,
    outcome: RuleOutcome,
    asOf: string,
    retrospective: boolean,
    db: Queryable = this.dataSource,
  ): Promise<OpenedAlert | null> {
    const { rule } = outcome;
    const rows = await db.query<{ id: string; inserted: boolean; retrospective: boolean }[]>(
      `INSERT INTO alerts (patient_id, rule_id, rule_version, rule, severity, status, title, reason, readings, opened_at, last_reading_at, retrospective)
       SELECT $1::uuid, $2::text, $3::int, $4::jsonb, $5::text, 'open', $6::text, $7::text, $8::jsonb, $9::timestamptz, $10::timestamptz, $11::boolean
        WHERE NOT EXISTS (
          SELECT 1 FROM alerts closed
           WHERE closed.patient_id = $1::uuid AND closed.rule_id = $2::text AND closed.status = 'resolved'
             AND closed.opened_at <= $10::timestamptz AND closed.resolved_at >= $10::timestamptz)
       ON CONFLICT (patient_id, rule_id) WHERE status IN ('open', 'acknowledged', 'snoozed')
       DO UPDATE SET
         readings = COALESCE((SELECT jsonb_agg(DISTINCT r) FROM jsonb_array_elements(alerts.readings || EXCLUDED.readings) r), '[]'::jsonb),
         reason = CASE WHEN EXCLUDED.last_reading_at >= alerts.last_reading_at THEN EXCLUDED.reason ELSE alerts.reason END,
         last_reading_at = GREATEST(alerts.last_reading_at, EXCLUDED.last_reading_at)
       RETURNING id, (xmax = 0) AS inserted, retrospective`,
      [
        patientId,
        rule.id,
        rule.version,
        JSON.stringify(rule),
        rule.severity,
        rule.title,
        outcome.reason,
        JSON.stringify(outcome.evidence.map(readingRef)),
        outcome.since ?? asOf,
        asOf,
        retrospective,
      ],
    );
    const row = rows[0];
    return row?.inserted ? { id: row.id, retrospective: row.retrospective } : null;
  }

  /** The rules with a live episode (open, acknowledged or snoozed), per patient, for several patients in one query. */
  async liveRules(patientIds: readonly string[]): Promise<Map<string, Set<string>>> {
    const rows: { patient_id: string; rule_id: string }[] = await this.dataSource.query(
      `SELECT patient_id, rule_id FROM alerts WHERE patient_id = ANY($1::uuid[]) AND status IN ('open', 'acknowledged', 'snoozed')`,
      [patientIds],
    );
    const live = new Map<string, Set<string>>();
    for (const row of rows) live.set(row.patient_id, (live.get(row.patient_id) ?? new Set()).add(row.rule_id));
    return live;
  }

  /** Resolves the live episode of a rule once a later measurement shows recovery. */
  async resolveRecovered(patientId: string, ruleId: string, asOf: string, db: Queryable = this.dataSource): Promise<void> {
    await db.query(
      `UPDATE alerts SET status = 'resolved', resolved_at = $3, resolution = 'recovered'
        WHERE patient_id = $1 AND rule_id = $2 AND status IN ('open', 'acknowledged', 'snoozed') AND last_reading_at <= $3`,
      [patientId, ruleId, asOf],
    );
  }
}
