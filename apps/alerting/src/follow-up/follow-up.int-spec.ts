import { ManualClock } from '@rpm/clinical';
import { FollowUpPlanRepository, VisitRepository, createDataSource } from '@rpm/persistence';
import { PostgresReadingStore } from '@rpm/timeseries';
import type { DataSource } from 'typeorm';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { createTestDatabase } from '../../../../test/support/test-services';
import { WebhookReceiver } from '../../../../test/support/webhook-receiver';
import { WebhookChannel } from '../delivery/webhook-channel';
import { JobFailures } from '../jobs/job-failures';
import { AlertingMetrics } from '../observability/alerting-metrics';
import { FollowUpJob } from './follow-up.job';
import { PatientAssessment } from './patient-assessment';

const DAY = 86_400_000;
const surgery = new Date('2026-01-05T09:00:00Z');
const day = (n: number) => new Date(surgery.getTime() + n * DAY);
const offset = (at: Date | string) => Math.round((new Date(at).getTime() - surgery.getTime()) / DAY);

/*
 * Replaces the old "steps a stable post-surgery patient down" test, which asserted the drift the issue
 * reported (contacts on days 7, 37, 127, 307 because each step was a gap from the review) and a job that moved
 * due dates by itself. Now contacts fall on the anchored days, and only a contact moves the due date.
 */
describe('follow-up job on real PostgreSQL with a controllable clock', () => {
  let dataSource: DataSource;
  let store: PostgresReadingStore;
  let job: FollowUpJob;
  let clinic: ClinicFixture;
  let plans: FollowUpPlanRepository;
  let visits: VisitRepository;
  let doctorId: string;
  let receiver: WebhookReceiver;
  const clock = new ManualClock(surgery);

  const plan = async () => (await plans.plan(clinic.patientId))!;
  const reminders = () => receiver.received.map((hook) => hook.body).filter((body) => body.type === 'follow_up_reminder');

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    dataSource = await createDataSource(databaseUrl).initialize();
    store = new PostgresReadingStore(databaseUrl);
    receiver = await WebhookReceiver.start('follow-up-secret');
    job = new FollowUpJob(
      dataSource,
      new PatientAssessment(dataSource, store),
      new JobFailures(new AlertingMetrics()),
      [new WebhookChannel(receiver.url, 'follow-up-secret')],
      clock,
    );
    clinic = await createClinic(databaseUrl, 'surgery');
    plans = new FollowUpPlanRepository(dataSource);
    visits = new VisitRepository(dataSource);
    [{ id: doctorId }] = await dataSource.query('SELECT id FROM users WHERE email = $1', [clinic.doctor.email]);
    await plans.enrol(clinic.patientId, { pathway: 'post_surgery', anchorAt: surgery }, day(1), doctorId);
  });

  afterAll(async () => {
    await receiver?.stop();
    await store?.close();
    await dataSource?.destroy();
  });

  it('contacts fall on days 7, 30, 90, 180 after surgery whenever the nurse calls, with each reminder once', async () => {
    const due: number[] = [];
    for (const lateness of [0, 1, -2, 0]) {
      const dueAt = (await plan()).nextDueAt;
      due.push(offset(dueAt));
      // The job runs daily from 8 days before the contact until the contact.
      const at = new Date(new Date(dueAt).getTime() + lateness * DAY + 7_200_000);
      for (let before = 8; before >= -lateness; before--) await job.runOnce(new Date(dueAt.getTime() - before * DAY + 3_600_000));
      clock.set(at);
      await visits.create(clinic.patientId, doctorId, { occurredAt: at.toISOString(), type: 'telephone' }, at);
    }
    due.push(offset((await plan()).nextDueAt));
    expect(due).toEqual([7, 30, 90, 180, 365]);
    // 7 days, 3 days and on the day for each of the four contacts, none twice, all to the doctor (no nurse on
    // the team); none on the day-90 due day, since the contact two days early had completed it.
    const sent = reminders();
    expect(sent).toHaveLength(4 * 3 - 1);
    expect(new Set(sent.map((body) => `${body.dueAt}:${body.kind}`)).size).toBe(11);
    expect(sent.filter((body) => offset(body.dueAt as string) === 90).map((body) => body.kind)).toEqual(['due_in_7_days', 'due_in_3_days']);
    expect(receiver.received.every((hook) => hook.signatureValid)).toBe(true);
  });

  it('a visit dated in the future is an appointment: it completes nothing', async () => {
    const before = await plan();
    const appointment = await visits.create(clinic.patientId, doctorId, { occurredAt: day(400).toISOString(), type: 'clinic' }, clock.now());
    expect(appointment.status).toBe('appointment');
    expect((await plan()).nextDueAt).toEqual(before.nextDueAt);
  });

  it('an overdue plan stays overdue, then missed, then lost, with every change recorded; only a contact ends it', async () => {
    const dueAt = (await plan()).nextDueAt; // day 365; last contact day 180
    for (const n of [366, 380, 455, 546, 600]) await job.runOnce(day(n));
    const after = await plan();
    expect(after.nextDueAt).toEqual(dueAt);
    expect(after.status).toBe('lost_to_follow_up');
    const statuses = (await plans.events(clinic.patientId))
      .filter((event) => event.kind === 'status' && offset(event.at) > 300)
      .map((event) => `${offset(event.at)}:${event.toStatus}`);
    expect(statuses).toEqual(['366:overdue', '455:missed', '546:lost_to_follow_up']);
    await visits.create(clinic.patientId, doctorId, { occurredAt: day(601).toISOString(), type: 'video' }, day(601));
    expect((await plan()).status).toBe('scheduled');
    expect(offset((await plan()).nextDueAt)).toBe(730);
  });

  it('an urgent alert (retrospective too) proposes an interim contact without moving the due date; override works after confirm', async () => {
    const now = day(620);
    await dataSource.query(
      `INSERT INTO alerts (patient_id, rule_id, rule_version, severity, status, title, reason, readings, opened_at, last_reading_at, rule, retrospective)
       VALUES ($1, 'bp.crisis_systolic', 1, 'urgent', 'open', 'Hypertensive crisis', 'x', '[]', $2, $2, '{}', true)`,
      [clinic.patientId, new Date(now.getTime() - 3600_000)],
    );
    const dueBefore = (await plan()).nextDueAt;
    await job.runOnce(now);
    expect((await plan()).assessment).toEqual(expect.objectContaining({ state: 'unstable' }));
    expect((await plan()).nextDueAt).toEqual(dueBefore);
    const [proposal] = await plans.changes(clinic.patientId);
    expect(proposal).toEqual(expect.objectContaining({ kind: 'interim_contact', status: 'proposed', toIntervalDays: 7 }));
    expect(proposal.reason).toBe('interim contact within 7 days: 1 urgent alerts in 30 days (live or retrospective)');
    // The next day's run does not propose it again.
    await job.runOnce(day(621));
    expect((await plans.changes(clinic.patientId)).filter((change) => change.status === 'proposed')).toHaveLength(1);

    await plans.confirm(clinic.patientId, proposal.id, doctorId, day(621));
    expect(offset((await plan()).nextDueAt)).toBe(628); // within 7 days of the confirmation
    await plans.override(clinic.patientId, proposal.id, doctorId, 3, day(621));
    expect(offset((await plan()).nextDueAt)).toBe(624);
    expect((await plans.changes(clinic.patientId))[0].status).toBe('overridden');
  });
});
