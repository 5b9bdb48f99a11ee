import { SchedulerRegistry } from '@nestjs/schedule';
import { createDataSource, DeliveryRepository } from '@rpm/persistence';
import type { DataSource } from 'typeorm';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { createTestDatabase } from '../../../../test/support/test-services';
import type { AlertingConfig } from '../alerting.config';
import type { AlertChannel, AlertNotification } from '../delivery/alert-channel';
import { DeliveryQueue } from '../delivery/delivery-queue';
import { DeliveryWorker } from '../delivery/delivery-worker';
import type { FollowUpJob } from '../follow-up/follow-up.job';
import { AlertingMetrics } from '../observability/alerting-metrics';
import { EscalationJob } from './escalation.job';
import { JobFailures } from './job-failures';
import { JobScheduler } from './job-scheduler';
import { PatientReportedAlertsJob } from './patient-reported-alerts.job';
import type { ScheduledRulesJob } from './scheduled-rules.job';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** A receiver that records what it was sent (with when), and refuses an alert's first send when asked to. */
class RecordingChannel implements AlertChannel {
  readonly name = 'webhook';
  readonly sent: { notification: AlertNotification; at: number }[] = [];
  readonly refuseOnce = new Set<string>();

  async send(notification: AlertNotification): Promise<void> {
    if (this.refuseOnce.delete(`${notification.alertId}/${notification.event}`)) throw new Error('receiver answered 500');
    this.sent.push({ notification, at: Date.now() });
  }

  find(alertId: string, event: AlertNotification['event']) {
    return this.sent.find((sent) => sent.notification.alertId === alertId && sent.notification.event === event);
  }
}

/**
 * The queues of the job scheduler on a real PostgreSQL (issue 15): idle, they issue no query between fallback
 * polls; a queued delivery, a questionnaire's alert and an alert's escalation time wake them through the
 * alerting_work notifications and their due times.
 */
describe('job scheduler queues woken by PostgreSQL notifications', () => {
  let databaseUrl: string;
  let dataSource: DataSource;
  let counted: DataSource;
  let clinic: ClinicFixture;
  let scheduler: JobScheduler;
  const channel = new RecordingChannel();
  const queries: string[] = [];

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    dataSource = await createDataSource(databaseUrl).initialize();
    clinic = await createClinic(databaseUrl, 'wake');
    // The scheduler's own pool, its statements recorded: what an idle alerting asks PostgreSQL.
    counted = await createDataSource(databaseUrl).initialize();
    const query = counted.query.bind(counted);
    counted.query = ((sql: string, parameters?: unknown[]) => {
      queries.push(sql);
      return query(sql, parameters);
    }) as DataSource['query'];
    const config = {
      databaseUrl,
      escalateAfterMs: { urgent: 3_000, warning: 3_600_000 },
      scheduledRulesEveryMs: 3_600_000,
      followUpEveryMs: 3_600_000,
      jobsFallbackPollMs: 60_000,
    } as AlertingConfig;
    const metrics = new AlertingMetrics();
    const failures = new JobFailures(metrics);
    const queue = new DeliveryQueue(counted, [channel]);
    const idle = { runOnce: async () => undefined };
    scheduler = new JobScheduler(
      new SchedulerRegistry(),
      config,
      metrics,
      new DeliveryWorker(counted, [channel], failures),
      new EscalationJob(counted, config, queue, failures),
      idle as unknown as ScheduledRulesJob,
      idle as unknown as FollowUpJob,
      new PatientReportedAlertsJob(counted, queue, failures, [channel]),
    );
    await scheduler.onApplicationBootstrap();
  });

  afterAll(async () => {
    await scheduler?.onApplicationShutdown();
    await counted?.destroy();
    await dataSource?.destroy();
  });

  async function openAlert(ruleId: string, severity: 'urgent' | 'warning'): Promise<string> {
    const [{ id }]: { id: string }[] = await dataSource.query(
      `INSERT INTO alerts (patient_id, rule_id, rule_version, severity, status, title, reason, readings, opened_at, last_reading_at)
       VALUES ($1, $2, 1, $3, 'open', 'Hypertensive crisis', 'reason', '[]', now(), now()) RETURNING id`,
      [clinic.patientId, ruleId, severity],
    );
    return id;
  }

  it('idle, asks PostgreSQL nothing; a queued delivery is sent within a second', async () => {
    // The runs at start settle (each queue once, then its next due time: none).
    await sleep(1_000);
    queries.length = 0;
    await sleep(5_000);
    // Two polling queues every 2 s and escalation every 5 s were 2 + 2 + 2 statements over these 5 s, at least.
    expect(queries).toEqual([]);

    const alertId = await openAlert('test.warning_delivery', 'warning');
    const queuedAt = Date.now();
    await new DeliveryRepository(dataSource).enqueue(alertId, 'webhook', 'opened');
    const sent = await waitFor(() => channel.find(alertId, 'opened'), 5_000);
    expect(sent.at - queuedAt).toBeLessThan(1_000);
  });

  it("sends a failed delivery's retry at its due time, with no poll in between", async () => {
    const alertId = await openAlert('test.retry', 'warning');
    channel.refuseOnce.add(`${alertId}/opened`);
    await new DeliveryRepository(dataSource).enqueue(alertId, 'webhook', 'opened');
    const [{ failed_at }]: { failed_at: Date }[] = await waitForRow(
      `SELECT now() AS failed_at FROM alert_deliveries WHERE alert_id = $1 AND attempts = 1 AND status = 'pending'`,
      [alertId],
    );
    await sleep(1_000);
    queries.length = 0;
    // The worker's backoff: 10 s after the first failure.
    const sent = await waitFor(() => channel.find(alertId, 'opened'), 15_000);
    const delay = sent.at - failed_at.getTime();
    expect(delay).toBeGreaterThan(8_500);
    expect(delay).toBeLessThan(12_000);
    // Between: the retry's run and its settling, not a poll every 2 s.
    expect(queries.filter((sql) => sql.includes('alert_deliveries')).length).toBeLessThanOrEqual(4);
  }, 30_000);

  it('escalates an unacknowledged alert at its escalation time, woken by its insert', async () => {
    const alertId = await openAlert('test.urgent_escalation', 'urgent');
    const openedAt = Date.now();
    const escalated = await waitFor(() => channel.find(alertId, 'escalated'), 10_000);
    // ESCALATE after 3 s: the timer set when the insert notified, not the next fallback poll (60 s).
    expect(escalated.at - openedAt).toBeGreaterThan(2_500);
    expect(escalated.at - openedAt).toBeLessThan(4_500);
  }, 20_000);

  it("queues and sends a questionnaire's alert raised by the API, woken by its insert", async () => {
    const alertId = await openAlert('questionnaire.phq9_self_harm', 'warning');
    const openedAt = Date.now();
    const sent = await waitFor(() => channel.find(alertId, 'opened'), 5_000);
    expect(sent.at - openedAt).toBeLessThan(1_500);
  });

  async function waitForRow<T>(sql: string, parameters: unknown[]): Promise<T[]> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const rows: T[] = await dataSource.query(sql, parameters);
      if (rows.length > 0) return rows;
      if (Date.now() > deadline) throw new Error('row not there in 5 s');
      await sleep(25);
    }
  }
});
