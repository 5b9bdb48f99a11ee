import { In, type DataSource } from 'typeorm';
import { AlertEntity, type AlertReadingRef, type AlertStatus } from '../entities';

/** A late firing this close before a resolved episode belongs to it (CGM consensus: an episode lasts until 15 min outside it). */
const EPISODE_JOIN_MINUTES = 15;

/** Where a statement runs: the data source, or the transaction that applies one patient's outcomes. */
export type Queryable = Pick<DataSource, 'query'>;

/** One firing rule, as the episode store records it. */
export interface EpisodeFiring {
  /** The condition the rule describes; the patient has at most one live alert per episode. */
  episode: string;
  ruleId: string;
  ruleVersion: number;
  /** The rule definition as it fired. */
  rule: Record<string, unknown>;
  severity: string;
  title: string;
  reason: string;
  readings: AlertReadingRef[];
  /** When the condition began (the rule's evidence), else `asOf`. */
  openedAt: string;
  /** Evaluation time: the reading's measurement time, or the scheduled run's clock. */
  asOf: string;
  /** Measured long before it arrived: recorded, never paged. */
  retrospective: boolean;
}

/** What a firing did to its episode: opened an alert, raised the live alert's severity, or neither (null: extended or a replay). */
export type EpisodeChange =
  { kind: 'opened'; alertId: string; retrospective: boolean } | { kind: 'raised'; alertId: string; retrospective: boolean; from: string; to: string } | null;

const SEVERITY_RANK: Record<string, number> = { info: 0, warning: 1, urgent: 2 };
const rankOf = (severity: string): number => SEVERITY_RANK[severity] ?? 0;

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
 * follow-up assessment need; and the episodes the alerting evaluator opens, extends, raises and resolves.
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

  /** Alerts opened, acknowledged, escalated, raised or resolved at or after `since`. */
  changedSince(since: Date): Promise<AlertChangeRow[]> {
    return this.dataSource.query(
      `SELECT id AS "alertId", patient_id AS "patientId", status FROM alerts
        WHERE greatest(created_at, acknowledged_at, resolved_at, escalated_at, (severity_changes -> -1 ->> 'at')::timestamptz) >= $1`,
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
   * When escalateUnacknowledged (after reopenElapsedSnoozes) next has something to do: the earliest end of a
   * snooze, or the earliest time an open alert passes its severity's time; undefined when neither exists.
   */
  async nextEscalationAt(afterSeconds: { urgent: number; warning: number }): Promise<Date | undefined> {
    const [row]: { due: Date | null }[] = await this.dataSource.query(
      `SELECT LEAST(
         (SELECT min(snoozed_until) FROM alerts WHERE status = 'snoozed'),
         (SELECT min(GREATEST(created_at, COALESCE((severity_changes -> -1 ->> 'at')::timestamptz, created_at))
                     + make_interval(secs => CASE severity WHEN 'urgent' THEN $1::float8 ELSE $2::float8 END))
            FROM alerts WHERE status = 'open' AND NOT retrospective AND escalated_at IS NULL)) AS due`,
      [afterSeconds.urgent, afterSeconds.warning],
    );
    return row?.due ?? undefined;
  }

  /**
   * Marks escalated, once and in one statement (so two instances cannot both escalate), the open alerts
   * nobody acknowledged within their severity's time, counted from when the alert was created or last raised
   * to its severity (a warning raised to urgent gets the urgent time from the raise); returns their ids.
   */
  async escalateUnacknowledged(afterSeconds: { urgent: number; warning: number }): Promise<string[]> {
    const escalated: { id: string }[] = await this.dataSource.query(
      `WITH due AS (
         UPDATE alerts SET escalated_at = now()
          WHERE status = 'open' AND NOT retrospective AND escalated_at IS NULL
            AND created_at <= now() - make_interval(secs => CASE severity WHEN 'urgent' THEN $1::float8 ELSE $2::float8 END)
            AND COALESCE((severity_changes -> -1 ->> 'at')::timestamptz, created_at)
                <= now() - make_interval(secs => CASE severity WHEN 'urgent' THEN $1::float8 ELSE $2::float8 END)
          RETURNING id)
       SELECT id FROM due`,
      [afterSeconds.urgent, afterSeconds.warning],
    );
    return escalated.map((row) => row.id);
  }

  /**
   * Records a firing rule in its episode: opens an alert when the patient has no live one for the episode,
   * raises the live alert's severity (rule, title, reason; logged in severity_changes; reopened if it was
   * acknowledged or snoozed, since what was acknowledged was less severe; live if the firing is) when the firing is more severe,
   * else extends it (readings, latest evaluation time; the reason when at least as severe and newer).
   *
   * A firing measured inside an episode already resolved opens none: it is a replay (a redelivery after a
   * crash) or a late copy of what that episode covered. So does one measured up to EPISODE_JOIN_MINUTES before
   * it opened: readings of one low or high can arrive out of order (a device's in-flight readings held by a
   * gateway that died while its next ones went through another), and the consensus counts an episode as one
   * until 15 minutes pass outside it (docs/clinical-references.md, "episode"). That holds for an episode a clinician resolved as
   * well, up to the moment they resolved it; a firing measured after it opens a new alert, since the
   * condition is still (or again) there. The unique index on live episodes makes concurrent writers,
   * replays and several alerting instances land on the same row. `db`: the caller's transaction.
   */
  async recordFiring(patientId: string, firing: EpisodeFiring, db: Queryable = this.dataSource): Promise<EpisodeChange> {
    let live = await this.liveEpisode(patientId, firing.episode, db);
    if (!live) {
      const [inserted]: { id: string; retrospective: boolean }[] = await db.query(
        `INSERT INTO alerts (patient_id, episode, rule_id, rule_version, rule, severity, status, title, reason, readings, opened_at, last_reading_at, raised_at, retrospective)
         SELECT $1::uuid, $2::text, $3::text, $4::int, $5::jsonb, $6::text, 'open', $7::text, $8::text, $9::jsonb, $10::timestamptz, $11::timestamptz, $11::timestamptz, $12::boolean
          WHERE NOT EXISTS (
            SELECT 1 FROM alerts closed
             WHERE closed.patient_id = $1::uuid AND closed.episode = $2::text AND closed.status = 'resolved'
               AND closed.opened_at - make_interval(mins => ${EPISODE_JOIN_MINUTES}) <= $11::timestamptz AND closed.resolved_at >= $11::timestamptz)
         ON CONFLICT (patient_id, episode) WHERE status IN ('open', 'acknowledged', 'snoozed') DO NOTHING
         RETURNING id, retrospective`,
        [
          patientId,
          firing.episode,
          firing.ruleId,
          firing.ruleVersion,
          JSON.stringify(firing.rule),
          firing.severity,
          firing.title,
          firing.reason,
          JSON.stringify(firing.readings),
          firing.openedAt,
          firing.asOf,
          firing.retrospective,
        ],
      );
      if (inserted) return { kind: 'opened', alertId: inserted.id, retrospective: inserted.retrospective };
      // Another writer opened the episode meanwhile (the insert waited for it), or the firing lies in a resolved episode.
      live = await this.liveEpisode(patientId, firing.episode, db);
      if (!live) return null;
    }
    // Window rules (time in range, CV) fire with no evidence readings: jsonb_agg over no rows is NULL, hence the COALESCE.
    const readings = `readings = COALESCE((SELECT jsonb_agg(DISTINCT r) FROM jsonb_array_elements(readings || $2::jsonb) r), '[]'::jsonb),
                      last_reading_at = GREATEST(last_reading_at, $3::timestamptz)`;
    if (rankOf(firing.severity) > rankOf(live.severity)) {
      const change = {
        asOf: firing.asOf,
        from: live.severity,
        to: firing.severity,
        ruleId: firing.ruleId,
        ruleVersion: firing.ruleVersion,
        title: firing.title,
      };
      await db.query(
        `UPDATE alerts SET ${readings}, severity = $4, rule_id = $5, rule_version = $6, rule = $7::jsonb, title = $8, reason = $9,
                status = 'open', snoozed_until = NULL, retrospective = retrospective AND $11::boolean,
                severity_changes = severity_changes || jsonb_build_array($10::jsonb || jsonb_build_object('at', now()))
          WHERE id = $1`,
        [
          live.id,
          JSON.stringify(firing.readings),
          firing.asOf,
          firing.severity,
          firing.ruleId,
          firing.ruleVersion,
          JSON.stringify(firing.rule),
          firing.title,
          firing.reason,
          JSON.stringify(change),
          firing.retrospective,
        ],
      );
      // Raised by a live reading, an alert opened from late readings is live from now on: paged, and escalated if nobody acknowledges it.
      return { kind: 'raised', alertId: live.id, retrospective: firing.retrospective, from: live.severity, to: firing.severity };
    }
    await db.query(
      `UPDATE alerts SET reason = CASE WHEN $4::boolean AND $3::timestamptz >= last_reading_at THEN $5 ELSE reason END, ${readings} WHERE id = $1`,
      [live.id, JSON.stringify(firing.readings), firing.asOf, rankOf(firing.severity) === rankOf(live.severity), firing.reason],
    );
    return null;
  }

  /** The live alert of one episode, locked for the caller's transaction. */
  private async liveEpisode(patientId: string, episode: string, db: Queryable): Promise<{ id: string; severity: string; retrospective: boolean } | null> {
    const [live] = await db.query(
      `SELECT id, severity, retrospective FROM alerts WHERE patient_id = $1 AND episode = $2 AND status IN ('open', 'acknowledged', 'snoozed') FOR UPDATE`,
      [patientId, episode],
    );
    return live ?? null;
  }

  /** The episodes with a live alert (open, acknowledged or snoozed), per patient, for several patients in one query. */
  async liveEpisodes(patientIds: readonly string[]): Promise<Map<string, Set<string>>> {
    const rows: { patient_id: string; episode: string }[] = await this.dataSource.query(
      `SELECT patient_id, episode FROM alerts WHERE patient_id = ANY($1::uuid[]) AND status IN ('open', 'acknowledged', 'snoozed')`,
      [patientIds],
    );
    const live = new Map<string, Set<string>>();
    for (const row of rows) live.set(row.patient_id, (live.get(row.patient_id) ?? new Set()).add(row.episode));
    return live;
  }

  /** Resolves the live alert of an episode once a measurement at `asOf` (not older than its latest) shows recovery. */
  async resolveRecovered(patientId: string, episode: string, asOf: string, db: Queryable = this.dataSource): Promise<void> {
    await db.query(
      `UPDATE alerts SET status = 'resolved', resolved_at = $3, resolution = 'recovered'
        WHERE patient_id = $1 AND episode = $2 AND status IN ('open', 'acknowledged', 'snoozed') AND last_reading_at <= $3`,
      [patientId, episode, asOf],
    );
  }
}
