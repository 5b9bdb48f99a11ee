import { createDataSource } from '@rpm/persistence';
import { PostgresReadingStore } from '@rpm/timeseries';
import type { DataSource } from 'typeorm';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { createTestDatabase } from '../../../../test/support/test-services';
import { JobFailures } from '../jobs/job-failures';
import { AlertingMetrics } from '../observability/alerting-metrics';
import { FollowUpJob } from './follow-up.job';
import { PatientAssessment } from './patient-assessment';

const DAY = 86_400_000;
const discharge = new Date('2026-01-05T09:00:00Z');
const day = (n: number) => new Date(discharge.getTime() + n * DAY);

describe('follow-up job on real PostgreSQL with a controllable clock', () => {
  let dataSource: DataSource;
  let store: PostgresReadingStore;
  let job: FollowUpJob;
  let clinic: ClinicFixture;

  const plan = async () =>
    (await dataSource.query('SELECT tier, interval_days, step, next_due_at FROM follow_up_plans WHERE patient_id = $1', [clinic.patientId]))[0];
  const changes = async () =>
    (await dataSource.query('SELECT kind, to_interval_days, reason, status FROM follow_up_changes WHERE patient_id = $1 ORDER BY id', [clinic.patientId])) as {
      kind: string;
      to_interval_days: number;
      reason: string;
      status: string;
    }[];
  const reminders = async () =>
    (
      (await dataSource.query('SELECT kind FROM follow_up_reminders WHERE patient_id = $1 ORDER BY sent_at, kind', [clinic.patientId])) as { kind: string }[]
    ).map((row) => row.kind);
  /** A month of readings on most days, at target: an adherent, stable patient. */
  async function adherentMonthBefore(at: Date) {
    const readings = Array.from({ length: 25 }, (_, n) => {
      const measuredAt = new Date(at.getTime() - (n + 1) * DAY).toISOString();
      return {
        patientId: clinic.patientId,
        deviceId: clinic.device.deviceId,
        metric: 'heart_rate' as const,
        measuredAt,
        receivedAt: measuredAt,
        seq: null,
        unit: 'bpm',
        values: { value: 64 },
        original: { unit: 'bpm', values: { value: 64 } },
        context: {},
      };
    });
    await store.write(readings);
  }

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    dataSource = await createDataSource(databaseUrl).initialize();
    store = new PostgresReadingStore(databaseUrl);
    job = new FollowUpJob(dataSource, new PatientAssessment(dataSource, store), new JobFailures(new AlertingMetrics()));
    clinic = await createClinic(databaseUrl, 'surgery');
    await dataSource.query(
      `INSERT INTO follow_up_plans (patient_id, pathway, tier, interval_days, next_due_at, enrolled_at) VALUES ($1, 'post_surgery', 'medium', 7, $2, $3)`,
      [clinic.patientId, day(7), discharge],
    );
  });

  afterAll(async () => {
    await store.close();
    await dataSource.destroy();
  });

  it('steps a stable post-surgery patient down over simulated months, with reminders once each', async () => {
    const contacts: number[] = [];
    for (let review = 0; review < 4; review++) {
      const dueAt = new Date((await plan()).next_due_at);
      // The job runs hourly; here it runs at 8, 4 and 1 days before the contact, then on the day, twice.
      for (const before of [8, 4, 1]) await job.runOnce(new Date(dueAt.getTime() - before * DAY));
      await adherentMonthBefore(dueAt);
      await job.runOnce(dueAt);
      await job.runOnce(new Date(dueAt.getTime() + 3600_000));
      contacts.push(Math.round((dueAt.getTime() - discharge.getTime()) / DAY));
    }
    expect(contacts).toEqual([7, 37, 127, 307]);
    expect((await plan()).interval_days).toBe(365);
    expect((await changes()).map((change) => `${change.kind}:${change.to_interval_days}:${change.status}`)).toEqual([
      'step_down:30:proposed',
      'step_down:90:proposed',
      'step_down:180:proposed',
      'step_down:365:proposed',
    ]);
    // Reminders 7 days, 3 days and on the day for each of the four contacts, none twice.
    expect(await reminders()).toHaveLength(4 * 3);
    expect(new Set(await reminders())).toEqual(new Set(['due_in_7_days', 'due_in_3_days', 'due_today']));
  });

  it('an urgent alert steps the plan up at once and brings the next contact within a week', async () => {
    const now = day(400);
    await dataSource.query(
      `INSERT INTO alerts (patient_id, rule_id, rule_version, severity, status, title, reason, readings, opened_at, last_reading_at, rule)
       VALUES ($1, 'bp.crisis_systolic', 1, 'urgent', 'open', 'Hypertensive crisis', 'x', '[]', $2, $2, '{}')`,
      [clinic.patientId, new Date(now.getTime() - 3600_000)],
    );
    await job.reviewNow(clinic.patientId, now);
    const stepped = await plan();
    expect(stepped).toEqual(expect.objectContaining({ tier: 'high', interval_days: 7 }));
    expect(new Date(stepped.next_due_at).getTime()).toBe(now.getTime() + 7 * DAY);
    expect((await changes()).at(-1)).toEqual(expect.objectContaining({ kind: 'step_up', reason: 'step up to every 7 days: 1 urgent alert(s) in 30 days' }));
  });
});
