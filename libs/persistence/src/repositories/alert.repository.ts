import { In, type DataSource } from 'typeorm';
import { AlertEntity, type AlertStatus } from '../entities';

/** A change of an alert, as the alert stream tells it. */
export interface AlertChangeRow {
  alertId: string;
  patientId: string;
  status: string;
}

export interface AlertCommentRow {
  id: string;
  text: string;
  createdAt: Date;
  authorId: string;
  authorName: string;
}

export interface AlertFilter {
  status?: AlertStatus;
  severity?: string;
  limit: number;
  offset: number;
}

const LIVE: AlertStatus[] = ['open', 'acknowledged', 'snoozed'];
const COMMENT_COLUMNS = `c.id, c.text, c.created_at AS "createdAt", c.author_id AS "authorId", u.display_name AS "authorName"`;

/**
 * Alerts as clinicians and jobs read and act on them: a patient's alerts, the clinician's actions
 * (acknowledge, snooze, resolve), comments, escalation, and the counts programme metrics and the
 * follow-up assessment need. (Opening and extending episodes is the alerting evaluator's, in its own repository.)
 */
export class AlertRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get alerts() {
    return this.dataSource.getRepository(AlertEntity);
  }

  async pageOfPatient(patientId: string, filter: AlertFilter): Promise<{ alerts: AlertEntity[]; total: number }> {
    const [alerts, total] = await this.alerts.findAndCount({
      where: { patientId, ...(filter.status && { status: filter.status }), ...(filter.severity && { severity: filter.severity }) },
      order: { openedAt: 'DESC', id: 'ASC' },
      take: filter.limit,
      skip: filter.offset,
    });
    return { alerts, total };
  }

  /** Open, acknowledged or snoozed alerts of the patient, newest first. */
  liveOfPatient(patientId: string): Promise<AlertEntity[]> {
    return this.alerts.find({ where: { patientId, status: In(LIVE) }, order: { openedAt: 'DESC' } });
  }

  async existsForPatient(patientId: string, alertId: string): Promise<boolean> {
    const found: unknown[] = await this.dataSource.query('SELECT 1 FROM alerts WHERE id = $1 AND patient_id = $2', [alertId, patientId]);
    return found.length > 0;
  }

  /** Stops escalation; null when the patient has no such alert. An alert already acknowledged or resolved is returned as it is. */
  acknowledge(patientId: string, alertId: string, userId: string): Promise<AlertEntity | null> {
    return this.transition(
      patientId,
      alertId,
      `status = 'acknowledged', acknowledged_at = now(), acknowledged_by = $3, snoozed_until = NULL`,
      [userId],
      ['open', 'snoozed'],
    );
  }

  /** Quiet until `minutes` from now, then open again (the escalation job reopens it). */
  snooze(patientId: string, alertId: string, minutes: number): Promise<AlertEntity | null> {
    return this.transition(patientId, alertId, `status = 'snoozed', snoozed_until = now() + make_interval(mins => $3)`, [minutes], LIVE);
  }

  resolve(patientId: string, alertId: string, userId: string, note: string): Promise<AlertEntity | null> {
    return this.transition(patientId, alertId, `status = 'resolved', resolved_at = now(), resolved_by = $3, resolution = $4`, [userId, note], LIVE);
  }

  private async transition(patientId: string, alertId: string, set: string, params: unknown[], from: AlertStatus[]): Promise<AlertEntity | null> {
    const alert = await this.alerts.findOneBy({ id: alertId, patientId });
    if (!alert) return null;
    if (from.includes(alert.status)) {
      await this.dataSource.query(`UPDATE alerts SET ${set} WHERE id = $1 AND patient_id = $2`, [alertId, patientId, ...params]);
    }
    return this.alerts.findOneByOrFail({ id: alertId });
  }

  comments(alertId: string): Promise<AlertCommentRow[]> {
    return this.dataSource.query(
      `SELECT ${COMMENT_COLUMNS} FROM alert_comments c JOIN users u ON u.id = c.author_id WHERE c.alert_id = $1 ORDER BY c.created_at, c.id LIMIT 1000`,
      [alertId],
    );
  }

  async addComment(alertId: string, authorId: string, text: string): Promise<AlertCommentRow> {
    const [comment]: AlertCommentRow[] = await this.dataSource.query(
      `WITH inserted AS (INSERT INTO alert_comments (alert_id, author_id, text) VALUES ($1, $2, $3) RETURNING *)
       SELECT ${COMMENT_COLUMNS} FROM inserted c JOIN users u ON u.id = c.author_id`,
      [alertId, authorId, text],
    );
    return comment;
  }

  /** Alerts opened in [from, to), for the timeline. */
  openedBetween(
    patientId: string,
    from: Date,
    to: Date,
  ): Promise<{ id: string; opened_at: Date; rule_id: string; severity: string; status: string; title: string }[]> {
    return this.dataSource.query(
      'SELECT id, opened_at, rule_id, severity, status, title FROM alerts WHERE patient_id = $1 AND opened_at >= $2 AND opened_at < $3',
      [patientId, from, to],
    );
  }

  /** Alerts opened, acknowledged, escalated or resolved at or after `since`. */
  changedSince(since: Date): Promise<AlertChangeRow[]> {
    return this.dataSource.query(
      `SELECT id AS "alertId", patient_id AS "patientId", status FROM alerts
        WHERE greatest(created_at, acknowledged_at, resolved_at, escalated_at) >= $1`,
      [since],
    );
  }

  /** Urgent and warning alerts opened in (since, until], retrospective ones left out: the follow-up assessment's alert load. */
  async loadOpenedBetween(patientId: string, since: Date, until: Date): Promise<{ urgent: number; warning: number }> {
    const [counts] = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE severity = 'urgent')::int AS urgent, count(*) FILTER (WHERE severity = 'warning')::int AS warning
         FROM alerts WHERE patient_id = $1 AND opened_at > $2 AND opened_at <= $3 AND NOT retrospective`,
      [patientId, since, until],
    );
    return counts;
  }

  /** Alerts created after `since` among the patients: all, urgent, still open (retrospective ones left out). */
  async totalsCreatedSince(patientIds: readonly string[], since: Date): Promise<{ total: number; urgent: number; open: number }> {
    const [totals] = await this.dataSource.query(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE severity = 'urgent')::int AS urgent, count(*) FILTER (WHERE status = 'open')::int AS open
         FROM alerts WHERE patient_id = ANY($1) AND created_at > $2 AND NOT retrospective`,
      [patientIds, since],
    );
    return totals;
  }

  /** Per clinician, how many of the patients' alerts they acknowledged after `since` and the median minutes it took. */
  acknowledgementsByClinician(
    patientIds: readonly string[],
    since: Date,
  ): Promise<{ user_id: string; display_name: string; acknowledged: number; median_minutes: number | null }[]> {
    return this.dataSource.query(
      `SELECT a.acknowledged_by AS user_id, u.display_name, count(*)::int AS acknowledged,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM a.acknowledged_at - a.created_at) / 60) AS median_minutes
         FROM alerts a JOIN users u ON u.id = a.acknowledged_by
        WHERE a.patient_id = ANY($1) AND a.acknowledged_at > $2 GROUP BY 1, 2 ORDER BY 2`,
      [patientIds, since],
    );
  }

  /** Snoozed alerts whose snooze has ended are open again. */
  async reopenElapsedSnoozes(): Promise<void> {
    await this.dataSource.query(`UPDATE alerts SET status = 'open', snoozed_until = NULL WHERE status = 'snoozed' AND snoozed_until <= now()`);
  }

  /**
   * Marks escalated, once and in one statement (so two instances cannot both escalate), the open alerts
   * nobody acknowledged within their severity's time; returns their ids.
   */
  async escalateUnacknowledged(afterSeconds: { urgent: number; warning: number }): Promise<string[]> {
    const escalated: { id: string }[] = await this.dataSource.query(
      `WITH due AS (
         UPDATE alerts SET escalated_at = now()
          WHERE status = 'open' AND NOT retrospective AND escalated_at IS NULL
            AND created_at <= now() - make_interval(secs => CASE severity WHEN 'urgent' THEN $1::float8 ELSE $2::float8 END)
          RETURNING id)
       SELECT id FROM due`,
      [afterSeconds.urgent, afterSeconds.warning],
    );
    return escalated.map((row) => row.id);
  }
}
