import type { DataSource } from 'typeorm';

/** What an alert delivery tells: the alert opened, escalated (nobody acknowledged it), or raised to a higher severity. */
export type DeliveryEvent = 'opened' | 'escalated' | 'raised_to_warning' | 'raised_to_urgent';

/** A claimed delivery with what its channel is told about the alert. */
export interface DueDelivery {
  id: string;
  channel: string;
  event: DeliveryEvent;
  attempts: number;
  alert_id: string;
  patient_id: string;
  rule_id: string;
  rule_version: number;
  severity: string;
  title: string;
  reason: string;
  opened_at: Date;
  raised_at: Date;
}

/**
 * Notifications owed to channels (webhook, e-mail, SMS), one row per alert, channel and event. A worker
 * claims due rows for a while (claimed_until, claimed_by) in one short statement, sends them with no
 * transaction open, then records each row's outcome; a claim its worker never settles (a crash) expires
 * and the row is sent again by whoever claims it next.
 */
export class DeliveryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Unique per alert, channel and event: a replayed evaluation or a second instance queues nothing twice.
   * `db`: the transaction that opened the alert, so the delivery exists exactly when the alert does.
   */
  async enqueue(alertId: string, channel: string, event: DeliveryEvent, db: Pick<DataSource, 'query'> = this.dataSource): Promise<void> {
    await db.query(`INSERT INTO alert_deliveries (alert_id, channel, event, status) VALUES ($1, $2, $3, 'pending') ON CONFLICT DO NOTHING`, [
      alertId,
      channel,
      event,
    ]);
  }

  /**
   * Claims up to `limit` due deliveries for `claimedBy` until `leaseSeconds` from now, and commits (one
   * statement): rows another worker is claiming are skipped (SKIP LOCKED), rows it holds are not due until its
   * claim expires. The caller sends outside any transaction and settles each row with delivered() or failed().
   */
  async claimDue(limit: number, claimedBy: string, leaseSeconds: number): Promise<DueDelivery[]> {
    // A patient who withdrew remote_monitoring consent (and has not given it again) is not paged about: the
    // alert stays recorded, its deliveries are cancelled, also those queued after the withdrawal.
    await this.dataSource.query(
      `UPDATE alert_deliveries d SET status = 'cancelled', last_error = 'remote_monitoring consent withdrawn'
         FROM alerts a
        WHERE a.id = d.alert_id AND d.status = 'pending'
          AND EXISTS (SELECT 1 FROM patient_consents w WHERE w.patient_id = a.patient_id AND w.scope = 'remote_monitoring' AND w.withdrawn_at IS NOT NULL)
          AND NOT EXISTS (SELECT 1 FROM patient_consents g WHERE g.patient_id = a.patient_id AND g.scope = 'remote_monitoring' AND g.withdrawn_at IS NULL)`,
    );
    return this.dataSource.query(
      `WITH claimed AS (
         UPDATE alert_deliveries d SET claimed_until = now() + make_interval(secs => $3::float8), claimed_by = $2
          WHERE d.id IN (
            SELECT id FROM alert_deliveries
             WHERE status = 'pending' AND next_attempt_at <= now() AND (claimed_until IS NULL OR claimed_until <= now())
             ORDER BY next_attempt_at
             LIMIT $1
             FOR UPDATE SKIP LOCKED)
          RETURNING d.id, d.channel, d.event, d.attempts, d.alert_id, d.next_attempt_at)
       SELECT c.id, c.channel, c.event, c.attempts, a.id AS alert_id, a.patient_id, a.rule_id, a.rule_version, a.severity, a.title, a.reason,
              a.opened_at, a.raised_at
         FROM claimed c JOIN alerts a ON a.id = c.alert_id
        ORDER BY c.next_attempt_at, c.id`,
      [limit, claimedBy, leaseSeconds],
    );
  }

  /**
   * When the next pending delivery is due (its next attempt, or the end of another worker's claim on it);
   * undefined when none is pending. The worker sets its timer to it instead of polling.
   */
  async nextDueAt(): Promise<Date | undefined> {
    const [row]: { due: Date | null }[] = await this.dataSource.query(
      `SELECT min(GREATEST(next_attempt_at, COALESCE(claimed_until, next_attempt_at))) AS due FROM alert_deliveries WHERE status = 'pending'`,
    );
    return row?.due ?? undefined;
  }

  /** Records a sent delivery, if `claimedBy` still holds it (false when its claim expired and another worker took the row). */
  async delivered(id: string, claimedBy: string, attempts: number): Promise<boolean> {
    const [, count]: [unknown, number] = await this.dataSource.query(
      `UPDATE alert_deliveries SET status = 'delivered', attempts = $3, delivered_at = now(), last_error = NULL, claimed_until = NULL, claimed_by = NULL
        WHERE id = $1 AND claimed_by = $2 AND status = 'pending'`,
      [id, claimedBy, attempts],
    );
    return count > 0;
  }

  /** Records a failed attempt: `status` 'pending' retries after `retryInSeconds`, 'failed' gives up. */
  async failed(id: string, claimedBy: string, status: 'pending' | 'failed', attempts: number, error: string, retryInSeconds: number): Promise<boolean> {
    const [, count]: [unknown, number] = await this.dataSource.query(
      `UPDATE alert_deliveries SET status = $3, attempts = $4, last_error = $5, next_attempt_at = now() + make_interval(secs => $6::float8),
              claimed_until = NULL, claimed_by = NULL
        WHERE id = $1 AND claimed_by = $2 AND status = 'pending'`,
      [id, claimedBy, status, attempts, error, retryInSeconds],
    );
    return count > 0;
  }

  /** Gives back claimed rows not sent, for any worker to claim at once. */
  async release(ids: readonly string[], claimedBy: string): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query(
      `UPDATE alert_deliveries SET claimed_until = NULL, claimed_by = NULL WHERE id = ANY($1::bigint[]) AND claimed_by = $2 AND status = 'pending'`,
      [ids, claimedBy],
    );
  }

  /** Deliveries still owed (the backlog readiness and metrics report). */
  async pendingCount(): Promise<number> {
    const [row]: { pending: number }[] = await this.dataSource.query(`SELECT count(*)::int AS pending FROM alert_deliveries WHERE status = 'pending'`);
    return row.pending;
  }
}
