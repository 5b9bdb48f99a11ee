import type { DataSource, EntityManager } from 'typeorm';

/** A pending delivery with what its channel is told about the alert. */
export interface DueDelivery {
  id: string;
  channel: string;
  event: 'opened' | 'escalated';
  attempts: number;
  alert_id: string;
  patient_id: string;
  rule_id: string;
  rule_version: number;
  severity: string;
  title: string;
  reason: string;
  opened_at: Date;
}

/** The claimed batch's transaction: each row's outcome is recorded inside a savepoint of its own. */
export interface DeliveryBatch {
  /** Runs `work` in a savepoint: a statement the database refuses for one row does not abort the others'. */
  isolated(work: () => Promise<void>): Promise<void>;
  delivered(id: string, attempts: number): Promise<void>;
  /** Records a failed attempt: `status` 'pending' retries after `retryInSeconds`, 'failed' gives up. */
  failed(id: string, status: 'pending' | 'failed', attempts: number, error: string, retryInSeconds: number): Promise<void>;
}

/** Notifications owed to channels (webhook, e-mail, SMS), one row per alert, channel and event. */
export class DeliveryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Unique per alert, channel and event: a replayed evaluation or a second instance queues nothing twice.
   * `db`: the transaction that opened the alert, so the delivery exists exactly when the alert does.
   */
  async enqueue(alertId: string, channel: string, event: 'opened' | 'escalated', db: Pick<DataSource, 'query'> = this.dataSource): Promise<void> {
    await db.query(`INSERT INTO alert_deliveries (alert_id, channel, event, status) VALUES ($1, $2, $3, 'pending') ON CONFLICT DO NOTHING`, [
      alertId,
      channel,
      event,
    ]);
  }

  /**
   * Claims up to `limit` due deliveries (FOR UPDATE SKIP LOCKED, so instances share the work) and runs
   * `work` on them inside the claiming transaction.
   */
  withDueBatch<T>(limit: number, work: (due: DueDelivery[], batch: DeliveryBatch) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const due: DueDelivery[] = await manager.query(
        `SELECT d.id, d.channel, d.event, d.attempts, a.id AS alert_id, a.patient_id, a.rule_id, a.rule_version, a.severity, a.title, a.reason, a.opened_at
           FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id
          WHERE d.status = 'pending' AND d.next_attempt_at <= now()
          ORDER BY d.next_attempt_at
          LIMIT $1
          FOR UPDATE OF d SKIP LOCKED`,
        [limit],
      );
      return work(due, batchOf(manager));
    });
  }
}

function batchOf(manager: EntityManager): DeliveryBatch {
  return {
    async isolated(work) {
      await manager.query('SAVEPOINT delivery');
      try {
        await work();
        await manager.query('RELEASE SAVEPOINT delivery');
      } catch (error) {
        await manager.query('ROLLBACK TO SAVEPOINT delivery');
        throw error;
      }
    },
    async delivered(id, attempts) {
      await manager.query(`UPDATE alert_deliveries SET status = 'delivered', attempts = $2, delivered_at = now(), last_error = NULL WHERE id = $1`, [
        id,
        attempts,
      ]);
    },
    async failed(id, status, attempts, error, retryInSeconds) {
      await manager.query(
        `UPDATE alert_deliveries SET status = $2, attempts = $3, last_error = $4,
                next_attempt_at = now() + make_interval(secs => $5) WHERE id = $1`,
        [id, status, attempts, error, retryInSeconds],
      );
    },
  };
}
