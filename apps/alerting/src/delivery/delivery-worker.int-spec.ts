import { createDataSource, DeliveryRepository } from '@rpm/persistence';
import type { DataSource } from 'typeorm';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { createTestDatabase } from '../../../../test/support/test-services';
import { JobFailures } from '../jobs/job-failures';
import { AlertingMetrics } from '../observability/alerting-metrics';
import type { AlertChannel, AlertNotification } from './alert-channel';
import { DeliveryWorker } from './delivery-worker';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A receiver that records what it was sent, waits `delayMs` per send, and refuses the alerts named in `refuse`. */
class RecordingChannel implements AlertChannel {
  readonly name = 'webhook';
  readonly sent: AlertNotification[] = [];
  onSend?: () => Promise<void>;

  constructor(
    private readonly delayMs = 0,
    readonly refuse = new Set<string>(),
  ) {}

  async send(notification: AlertNotification): Promise<void> {
    await this.onSend?.();
    if (this.delayMs) await sleep(this.delayMs);
    if (this.refuse.has(notification.alertId)) throw new Error('receiver answered 500');
    this.sent.push(notification);
  }
}

/**
 * The delivery worker on a real PostgreSQL: rows are claimed in a committed statement, sent with no transaction
 * open, and settled one by one; claims keep two workers off each other's rows and expire when a worker dies.
 */
describe('delivery worker on real PostgreSQL', () => {
  let dataSource: DataSource;
  let clinic: ClinicFixture;
  let failures: JobFailures;

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    dataSource = await createDataSource(databaseUrl).initialize();
    clinic = await createClinic(databaseUrl, 'delivery');
    failures = new JobFailures(new AlertingMetrics());
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  beforeEach(async () => {
    await dataSource.query('DELETE FROM alert_deliveries');
  });

  /** `count` alerts, each with a pending webhook delivery; returns the alert ids. */
  async function pendingDeliveries(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let n = 0; n < count; n++) {
      const [{ id }] = await dataSource.query(
        `INSERT INTO alerts (patient_id, rule_id, rule_version, severity, status, title, reason, readings, opened_at, last_reading_at)
         VALUES ($1, $2, 1, 'urgent', 'open', 'Hypertensive crisis', 'reason', '[]', now(), now()) RETURNING id`,
        [clinic.patientId, `test.rule_${Date.now()}_${n}`],
      );
      await new DeliveryRepository(dataSource).enqueue(id, 'webhook', 'opened');
      ids.push(id);
    }
    return ids;
  }

  const statuses = async () =>
    (await dataSource.query(`SELECT status, count(*)::int AS n FROM alert_deliveries GROUP BY status ORDER BY status`)) as { status: string; n: number }[];

  it('two workers over one table never send a row twice', async () => {
    const alertIds = await pendingDeliveries(30);
    const channel = new RecordingChannel(5);
    const workers = [new DeliveryWorker(dataSource, [channel], failures), new DeliveryWorker(dataSource, [channel], failures)];
    // Both run at once, and again, until nothing is due.
    for (let round = 0; round < 3; round++) await Promise.all(workers.map((worker) => worker.runOnce()));
    expect(channel.sent.map((sent) => sent.alertId).sort()).toEqual([...alertIds].sort());
    expect(await statuses()).toEqual([{ status: 'delivered', n: 30 }]);
  });

  it('retries a row claimed by a worker that died, once its claim expires, and not before', async () => {
    const [alertId] = await pendingDeliveries(1);
    // A worker claims the row and dies before sending it.
    const claimed = await new DeliveryRepository(dataSource).claimDue(50, 'dead-worker', 1);
    expect(claimed.map((row) => row.alert_id)).toEqual([alertId]);
    const channel = new RecordingChannel();
    const worker = new DeliveryWorker(dataSource, [channel], failures);
    expect(await worker.runOnce()).toBe(0);
    await sleep(1100);
    expect(await worker.runOnce()).toBe(1);
    expect(channel.sent.map((sent) => sent.alertId)).toEqual([alertId]);
    expect(await statuses()).toEqual([{ status: 'delivered', n: 1 }]);
    // The dead worker's late outcome changes nothing.
    expect(await new DeliveryRepository(dataSource).failed(claimed[0].id, 'dead-worker', 'pending', 1, 'late', 10)).toBe(false);
  });

  it('holds no database transaction open while a channel is slow to answer', async () => {
    await pendingDeliveries(2);
    const channel = new RecordingChannel(300);
    const seen: string[] = [];
    channel.onSend = async () => {
      // While the send is under way: nothing of ours is idle in a transaction, and no delivery row is locked.
      await sleep(100);
      const idle: { n: number }[] = await dataSource.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
      );
      const locked: { n: number }[] = await dataSource.query(
        `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'alert_deliveries' AND l.pid <> pg_backend_pid()`,
      );
      seen.push(`idle in transaction ${idle[0].n}, locks ${locked[0].n}`);
    };
    await new DeliveryWorker(dataSource, [channel], failures).runOnce();
    expect(seen).toEqual(['idle in transaction 0, locks 0', 'idle in transaction 0, locks 0']);
    expect(channel.sent).toHaveLength(2);
  });

  it('one failing row does not stop the batch: it is retried later, the others are delivered', async () => {
    const alertIds = await pendingDeliveries(3);
    const channel = new RecordingChannel(0, new Set([alertIds[1]]));
    expect(await new DeliveryWorker(dataSource, [channel], failures).runOnce()).toBe(3);
    expect(channel.sent.map((sent) => sent.alertId).sort()).toEqual([alertIds[0], alertIds[2]].sort());
    const [failed] = await dataSource.query(
      `SELECT d.status, d.attempts, d.last_error, d.claimed_by, d.next_attempt_at > now() AS later FROM alert_deliveries d WHERE alert_id = $1`,
      [alertIds[1]],
    );
    expect(failed).toEqual({ status: 'pending', attempts: 1, last_error: 'receiver answered 500', claimed_by: null, later: true });
  });

  it('tells a raise of severity as "raised", with when the alert was raised', async () => {
    const [alertId] = await pendingDeliveries(1);
    await dataSource.query('DELETE FROM alert_deliveries');
    await new DeliveryRepository(dataSource).enqueue(alertId, 'webhook', 'raised_to_urgent');
    const channel = new RecordingChannel();
    await new DeliveryWorker(dataSource, [channel], failures).runOnce();
    expect(channel.sent).toEqual([expect.objectContaining({ event: 'raised', severity: 'urgent', alertId, raisedAt: expect.any(String) })]);
  });

  it('gives back the rows it has not started once half its claim has run out, for the next run to send', async () => {
    const alertIds = await pendingDeliveries(3);
    const channel = new RecordingChannel(700);
    const worker = new DeliveryWorker(dataSource, [channel], failures);
    // A 1-second claim: the first send takes 0.7 s, past half of it, so the other two rows go back unclaimed.
    expect(await worker.runOnce(1)).toBe(1);
    const claimed = await dataSource.query(`SELECT count(*)::int AS n FROM alert_deliveries WHERE status = 'pending' AND claimed_by IS NULL`);
    expect(claimed[0].n).toBe(2);
    await worker.runOnce(60);
    expect(channel.sent.map((sent) => sent.alertId).sort()).toEqual([...alertIds].sort());
  });
});
