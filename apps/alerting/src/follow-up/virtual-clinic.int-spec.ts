import { Logger } from '@nestjs/common';
import { ManualClock } from '@rpm/clinical';
import type { NormalizedReading } from '@rpm/contracts';
import { FollowUpPlanRepository, VisitRepository, createDataSource, followUpDashboardForCareTeam } from '@rpm/persistence';
import { PostgresReadingStore } from '@rpm/timeseries';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { VIRTUAL_COHORT, readingsForDay, type VirtualPatient } from '../../../../device-simulators/src/virtual-clinic/virtual-cohort';
import { createClinic } from '../../../../test/support/fixtures';
import { createTestDatabase } from '../../../../test/support/test-services';
import { WebhookReceiver } from '../../../../test/support/webhook-receiver';
import { WebhookChannel } from '../delivery/webhook-channel';
import { JobFailures } from '../jobs/job-failures';
import { AlertingMetrics } from '../observability/alerting-metrics';
import { FollowUpJob } from './follow-up.job';
import { PatientAssessment } from './patient-assessment';

/**
 * The virtual clinic: a cohort over simulated months against the real follow-up job, repositories and
 * PostgreSQL, on a controllable clock. Each simulated day the devices upload, the job runs at 06:00, and at
 * 10:00 a nurse calls every patient due or overdue (recording the contact as a visit, or the failed attempt),
 * and the doctor confirms every proposal. npm test runs 45 days (under a minute); the full year:
 *   VIRTUAL_CLINIC_DAYS=365 npx jest --runInBand apps/alerting/src/follow-up/virtual-clinic
 */
const DAYS = Number(process.env.VIRTUAL_CLINIC_DAYS ?? 45);
const DAY = 86_400_000;
const start = new Date('2026-01-05T00:00:00Z');
const dayAt = (day: number, hour: number) => new Date(start.getTime() + day * DAY + hour * 3_600_000);
const dayOf = (at: Date | string) => Math.floor((new Date(at).getTime() - start.getTime()) / DAY);

// A simulated day takes about a second on a quiet machine; a loaded one may take three.
jest.setTimeout(Math.max(90_000, DAYS * 4_000));

describe(`virtual clinic: ${DAYS} simulated days against the real follow-up job and PostgreSQL`, () => {
  let dataSource: DataSource;
  let store: PostgresReadingStore;
  let receiver: WebhookReceiver;
  let plans: FollowUpPlanRepository;
  const clock = new ManualClock(start);
  const ids = new Map<string, string>();
  const devices = new Map<string, string>();
  let nurseId: string;
  let doctorId: string;
  let careTeamId: string;
  /** The harness's own tally, to compare with what the platform reports. */
  const tally = { contactsDue: 0, completed: 0, callAttempts: 0, changes: new Map<string, number>(), reasons: new Map<string, number>() };
  const dueSeen = new Set<string>();
  const completedDues: { patientId: string; dueAt: string; day: number }[] = [];
  const remindersSent: { day: number; body: Record<string, unknown> }[] = [];
  const intervals = new Map<string, { day: number; interval: number }[]>();
  const contactsOn = new Map<string, number[]>();

  beforeAll(async () => {
    // A year of info lines through Jest's console costs more than the clinic itself.
    Logger.overrideLogger(['error', 'warn']);
    const databaseUrl = await createTestDatabase();
    dataSource = await createDataSource(databaseUrl).initialize();
    store = new PostgresReadingStore(databaseUrl);
    receiver = await WebhookReceiver.start('clinic-secret');
    plans = new FollowUpPlanRepository(dataSource);
    const clinic = await createClinic(databaseUrl, 'virtual');
    careTeamId = clinic.careTeamId;
    const visits = new VisitRepository(dataSource);
    [{ id: doctorId }] = await dataSource.query('SELECT id FROM users WHERE email = $1', [clinic.doctor.email]);
    [{ id: nurseId }] = await dataSource.query(
      `INSERT INTO users (email, display_name, role, password_hash) VALUES ($1, 'Follow-up nurse', 'nurse', 'x') RETURNING id`,
      [`nurse.${randomUUID().slice(0, 8)}@example.org`],
    );
    await dataSource.query('INSERT INTO care_team_members VALUES ($1, $2)', [clinic.careTeamId, nurseId]);
    for (const patient of VIRTUAL_COHORT) {
      const id = randomUUID();
      ids.set(patient.key, id);
      devices.set(patient.key, `vc-${patient.key}-${id.slice(0, 6)}`.slice(0, 60));
      await dataSource.query(`INSERT INTO patients (id, display_name, programme, care_team_id) VALUES ($1, $2, $3, $4)`, [
        id,
        patient.key,
        patient.pathway,
        clinic.careTeamId,
      ]);
      await dataSource.query(`INSERT INTO devices (id, patient_id, kind, credential_hash, created_at) VALUES ($1, $2, $3, 'x', $4)`, [
        devices.get(patient.key),
        id,
        patient.deviceKind,
        dayAt(-30, 0),
      ]);
      await plans.enrol(
        id,
        { pathway: patient.pathway, anchorAt: patient.surgeryDay === undefined ? undefined : dayAt(patient.surgeryDay, 9), assignedTo: nurseId },
        dayAt(patient.enrolDay, 9),
        doctorId,
      );
      // Contacts before the run (earlier milestones, the last contact of the patient silent for a year).
      for (const day of patient.contactDays ?? []) {
        await visits.create(id, nurseId, { occurredAt: dayAt(day, 10).toISOString(), type: 'telephone', outcome: 'reached' }, dayAt(day, 10));
      }
      // Two weeks of history before the start, so the first assessment has data.
      for (let day = -14; day < 0; day++) await upload(patient, day);
    }
    const job = new FollowUpJob(
      dataSource,
      new PatientAssessment(dataSource, store),
      new JobFailures(new AlertingMetrics()),
      [new WebhookChannel(receiver.url, 'clinic-secret')],
      clock,
    );
    for (let day = 0; day < DAYS; day++) {
      for (const patient of VIRTUAL_COHORT) await upload(patient, day - 1);
      const before = receiver.received.length;
      await job.runOnce(clock.set(dayAt(day, 6)));
      for (const hook of receiver.received.slice(before)) remindersSent.push({ day, body: hook.body });
      clock.set(dayAt(day, 10));
      for (const patient of VIRTUAL_COHORT) {
        const id = ids.get(patient.key)!;
        // The doctor confirms what the assessment proposed.
        for (const change of (await plans.changes(id)).filter((change) => change.status === 'proposed')) {
          await plans.confirm(id, change.id, doctorId, clock.now());
          const key = `${change.kind}:${change.toIntervalDays}`;
          tally.changes.set(key, (tally.changes.get(key) ?? 0) + 1);
          tally.reasons.set(change.reason, (tally.reasons.get(change.reason) ?? 0) + 1);
        }
        const plan = (await plans.plan(id))!;
        const history = intervals.get(patient.key) ?? [];
        if (history.at(-1)?.interval !== plan.intervalDays) history.push({ day, interval: plan.intervalDays });
        intervals.set(patient.key, history);
        // The nurse works the worklist: due today or overdue.
        if (dayOf(plan.nextDueAt) > day) continue;
        const due = `${patient.key}:${new Date(plan.nextDueAt).toISOString()}`;
        if (!dueSeen.has(due)) {
          dueSeen.add(due);
          tally.contactsDue++;
        }
        if (!patient.answers) {
          await plans.recordCallAttempt(id, nurseId, 'no_answer', clock.now());
          tally.callAttempts++;
          continue;
        }
        tally.completed++;
        completedDues.push({ patientId: id, dueAt: new Date(plan.nextDueAt).toISOString(), day });
        await visits.create(id, nurseId, { occurredAt: clock.now().toISOString(), type: 'telephone', outcome: 'reached' }, clock.now());
        contactsOn.set(patient.key, [...(contactsOn.get(patient.key) ?? []), day - (patient.surgeryDay ?? 0)]);
      }
    }
  });

  async function upload(patient: VirtualPatient, day: number): Promise<void> {
    const readings = readingsForDay(patient, day, dayAt(day, 0)).map(
      (reading): NormalizedReading =>
        ({
          patientId: ids.get(patient.key)!,
          deviceId: devices.get(patient.key)!,
          metric: reading.metric,
          measuredAt: reading.measuredAt.toISOString(),
          receivedAt: reading.measuredAt.toISOString(),
          seq: null,
          unit: reading.unit,
          values: reading.values,
          original: { unit: reading.unit, values: reading.values },
          context: { source: reading.source },
        }) as NormalizedReading,
    );
    await store.write(readings);
  }

  afterAll(async () => {
    // The closing figures, for the report.
    const statuses = await dataSource.query(`SELECT status, count(*)::int AS n FROM follow_up_plans GROUP BY status ORDER BY status`);
    const statusChanges = await dataSource.query(
      `SELECT to_status AS status, count(*)::int AS n FROM follow_up_events WHERE kind = 'status' AND at >= $1 GROUP BY to_status ORDER BY to_status`,
      [start],
    );
    console.log(
      JSON.stringify({
        days: DAYS,
        ...tally,
        changes: Object.fromEntries(tally.changes),
        reasons: Object.fromEntries(tally.reasons),
        reminders: remindersSent.length,
        statuses,
        statusChanges,
        intervals: Object.fromEntries(intervals),
        contactsOn: Object.fromEntries(contactsOn),
      }),
    );
    await receiver?.stop();
    await store?.close();
    await dataSource?.destroy();
  });

  it('the swinging diabetic reaches weekly at the first review and returns to monthly once stable', () => {
    const history = intervals.get('swinging_diabetic')!;
    expect(history[0]).toEqual({ day: 0, interval: 7 });
    // Swinging stops on day 10; the 14-day CGM window is clear by day 24; two stable weekly contacts later, monthly.
    expect(history.find((entry) => entry.interval === 30 && entry.day > 0)?.day).toBeLessThanOrEqual(10 + 14 + 14);
    expect(intervals.get('stable_diabetic')).toEqual([{ day: 0, interval: 30 }]);
  });

  it('hypertension: every 2 weeks until controlled, then monthly', () => {
    expect(
      intervals
        .get('controlled_hypertensive')!
        .slice(0, 2)
        .map((entry) => entry.interval),
    ).toEqual([14, 30]);
    expect(intervals.get('uncontrolled_hypertensive')![0].interval).toBe(14);
    // The patient who stops uploading on day 40 sends what the controlled one sends until then, but is never
    // stepped down: without data a plan cannot be judged stable.
    expect(intervals.get('stops_uploading')).toEqual([{ day: 0, interval: 14 }]);
  });

  it('post-surgery contacts fall on days 7, 30, 90, 180 and 365 after surgery', () => {
    // Contacts fall on the day (the nurse calls on the due day): within the issue's ±1 day.
    for (const patient of VIRTUAL_COHORT.filter((patient) => patient.surgeryDay !== undefined)) {
      const before = (patient.contactDays ?? []).length;
      const expected = [7, 30, 90, 180, 365].slice(before).filter((after) => patient.surgeryDay! + after < DAYS);
      expect({ patient: patient.key, days: contactsOn.get(patient.key) }).toEqual({ patient: patient.key, days: expected });
    }
    // The short run sees the 7-, 30-, 90- and 180-day contacts; the full year sees the 365-day one as well.
    expect(new Set(VIRTUAL_COHORT.flatMap((patient) => contactsOn.get(patient.key) ?? []).filter((day) => [7, 30, 90, 180, 365].includes(day))).size).toBe(
      DAYS > 285 ? 5 : 4,
    );
  });

  it('every due contact is completed or shows overdue; never answering is missed at 90 days past due and lost at 12 months without contact', async () => {
    for (const patient of VIRTUAL_COHORT.filter((patient) => patient.answers)) {
      const plan = (await plans.plan(ids.get(patient.key)!))!;
      expect({ patient: patient.key, status: plan.status }).toEqual({ patient: patient.key, status: 'scheduled' });
    }
    const statusEvents = async (key: string) =>
      (await plans.events(ids.get(key)!)).filter((event) => event.kind === 'status').map((event) => `${dayOf(event.at)}:${event.toStatus}`);
    // Due on day -66 at 09:00: the first run finds it overdue; missed at 90 days past due (day 24), found by the
    // 06:00 run of day 25; lost 365 days after enrolment without a contact (day 285, found on day 286).
    const silent = await statusEvents('never_answers');
    expect(silent.slice(0, 2)).toEqual(['0:overdue', '25:missed']);
    if (DAYS > 286) expect(silent[2]).toBe('286:lost_to_follow_up');
    // Last contact on day -340 at 10:00, due 14 days later: already missed at the first run; lost once 365 days
    // have passed since that contact (day 25 at 10:00), found by the 06:00 run of day 26.
    expect(await statusEvents('silent_for_a_year')).toEqual(['0:missed', '26:lost_to_follow_up']);
    // Every contact the nurse found due was completed, or belongs to a patient whose plan shows it is past.
    const open = VIRTUAL_COHORT.filter((patient) => !patient.answers).length;
    expect(tally.contactsDue).toBe(tally.completed + open);
    for (const patient of VIRTUAL_COHORT.filter((patient) => !patient.answers)) {
      expect((await plans.plan(ids.get(patient.key)!))!.status).not.toBe('scheduled');
    }
  });

  it('each reminder is sent exactly once, to the responsible nurse, and never for a contact already past', () => {
    const reminders = remindersSent.filter(({ body }) => body.type === 'follow_up_reminder');
    const keys = reminders.map(({ body }) => `${body.patientId}:${body.dueAt}:${body.kind}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(reminders.every(({ body }) => (body.recipient as { id: string }).id === nurseId)).toBe(true);
    // Sent on or before the contact's day, never after it.
    expect(reminders.filter(({ day, body }) => dayOf(body.dueAt as string) < day)).toEqual([]);
    // Each contact completed on its due day had its same-day reminder that morning.
    const sameDay = new Set(reminders.filter(({ body }) => body.kind === 'due_today').map(({ body }) => `${body.patientId}:${body.dueAt}`));
    const withoutReminder = completedDues.filter((due) => dayOf(due.dueAt) === due.day && !sameDay.has(`${due.patientId}:${due.dueAt}`));
    expect(withoutReminder).toEqual([]);
    expect(reminders.length).toBeGreaterThan(0);
  });

  it("the platform's figures equal the harness's own tally", async () => {
    const [platform] = await dataSource.query(
      `SELECT count(*) FILTER (WHERE kind = 'contact' AND at >= $1)::int AS completed, count(*) FILTER (WHERE kind = 'call_attempt')::int AS attempts,
              count(*) FILTER (WHERE kind = 'change_confirmed')::int AS confirmed FROM follow_up_events`,
      [start],
    );
    // The statuses the programme figures count (stored plan status), against what the harness expects of each patient.
    const expected = VIRTUAL_COHORT.map((patient) =>
      patient.answers ? 'scheduled' : patient.key === 'never_answers' && DAYS <= 286 ? 'missed' : 'lost_to_follow_up',
    );
    const stored = (await plans.ofPatients([...ids.values()])).map((plan) => plan.status);
    const count = (statuses: string[]) => statuses.reduce<Record<string, number>>((counts, status) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }), {});
    expect(count(stored)).toEqual(count(expected));
    expect(platform).toEqual({ completed: tally.completed, attempts: tally.callAttempts, confirmed: [...tally.changes.values()].reduce((a, b) => a + b, 0) });

    // The follow-up centre's dashboard, as the care team sees it, says the same.
    const dashboard = await followUpDashboardForCareTeam(dataSource, store, careTeamId, { now: clock.now(), weeks: 4 });
    const expectedCount = count(expected);
    expect({
      patients: dashboard.totals.patients,
      overdue: dashboard.totals.overdue.count,
      missed: dashboard.totals.missed.count,
      lost: dashboard.totals.lostToFollowUp.count,
      lastWeek: { ...dashboard.trend[dashboard.trend.length - 1], weekStart: undefined, weekEnd: undefined, contactsCompleted: undefined },
    }).toEqual({
      // The cohort and the clinic fixture's own patient, who has no plan.
      patients: VIRTUAL_COHORT.length + 1,
      overdue: expectedCount.overdue ?? 0,
      missed: expectedCount.missed ?? 0,
      lost: expectedCount.lost_to_follow_up ?? 0,
      lastWeek: {
        weekStart: undefined,
        weekEnd: undefined,
        contactsCompleted: undefined,
        overdue: expectedCount.overdue ?? 0,
        missed: expectedCount.missed ?? 0,
        lostToFollowUp: expectedCount.lost_to_follow_up ?? 0,
      },
    });
    // Contacts the dashboard counts as completed in its last four weeks: those the nurse made in them.
    const fourWeeksAgo = clock.now().getTime() - 28 * 86_400_000;
    expect(dashboard.trend.reduce((sum, week) => sum + week.contactsCompleted, 0)).toBe(
      completedDues.filter(({ day }) => dayAt(day, 10).getTime() > fourWeeksAgo).length,
    );
  });
});
