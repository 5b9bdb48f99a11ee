import { pathwayTemplate } from '@rpm/clinical';
import { FollowUpPlanRepository, VisitRepository, createDataSource } from '@rpm/persistence';
import { hashPassword, hashSecret } from '@rpm/security';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { SimulatedClockFile } from '../../device-simulators/src/virtual-clinic/simulated-clock-file';
import { STOPS_UPLOADING_SILENCES, VIRTUAL_COHORT } from '../../device-simulators/src/virtual-clinic/virtual-cohort';
import {
  runVirtualClinic,
  summaryTable,
  type ClinicPatient,
  type StaffReminder,
  type VirtualClinicTally,
} from '../../device-simulators/src/virtual-clinic/virtual-clinic-run';
import { ApiClient } from '../support/api-client';
import { createClinic, type ClinicFixture } from '../support/fixtures';
import { PlatformProcess } from '../support/platform-process';
import { createTestDatabase } from '../support/test-services';
import { WebhookReceiver } from '../support/webhook-receiver';

/**
 * The virtual clinic against the platform as it runs: `npm start`'s launcher spawns the gateway, alerting and
 * API on a simulated clock (SIMULATED_CLOCK_FILE); the harness (device-simulators/src/virtual-clinic) moves
 * the clock day by day, the devices publish each day over MQTT, the follow-up job runs as the clock crosses
 * its slot, and a nurse and a doctor work through the HTTP API. npm test runs 45 days; the full year:
 *   VIRTUAL_CLINIC_DAYS=365 npx jest --runInBand test/e2e/virtual-clinic
 */
const DAYS = Number(process.env.VIRTUAL_CLINIC_DAYS ?? 45);
const DAY = 86_400_000;
// The follow-up job's slots: 00:00, 06:00, 12:00 and 18:00 simulated UTC (the harness moves the clock to 23:59,
// 06:00 and 10:00, so the job runs at 23:59 and at 06:00 each day).
const FOLLOW_UP_EVERY_SECONDS = 6 * 3600;
// Simulated time runs 400 days behind the real date, so even the full year stays in the past of the wall clock
// that the clock-triggered rules and the alert evaluator's lateness still read.
const start = new Date(Math.floor(Date.now() / DAY) * DAY - 400 * DAY);
const dayAt = (day: number, hour: number) => new Date(start.getTime() + day * DAY + hour * 3_600_000);
const dayOf = (at: Date | string) => Math.floor((new Date(at).getTime() - start.getTime()) / DAY);

// 0.9-1.5 s a simulated day on the shared 2-core machine (2.7 s at worst seen), plus start-up and 14 days of history.
jest.setTimeout(180_000 + DAYS * 6_000);

describe(`virtual clinic: ${DAYS} simulated days against the running platform on a simulated clock`, () => {
  let platform: PlatformProcess;
  let receiver: WebhookReceiver;
  let dataSource: DataSource;
  let clinic: ClinicFixture;
  let clockDir: string;
  let tally: VirtualClinicTally;
  let nurseId: string;
  let doctor: ApiClient;
  let plans: FollowUpPlanRepository;
  const patients: ClinicPatient[] = [];
  const idOf = (key: string) => patients.find((patient) => patient.profile.key === key)!.patientId;

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    dataSource = await createDataSource(databaseUrl).initialize();
    clinic = await createClinic(databaseUrl, 'virtual');
    plans = new FollowUpPlanRepository(dataSource);
    const visits = new VisitRepository(dataSource);
    const [{ id: doctorId }] = await dataSource.query('SELECT id FROM users WHERE email = $1', [clinic.doctor.email]);
    const nurse = { email: `nurse.${randomUUID().slice(0, 8)}@example.org`, password: `pw-${randomUUID()}` };
    [{ id: nurseId }] = await dataSource.query(
      `INSERT INTO users (email, display_name, role, password_hash) VALUES ($1, 'Follow-up nurse', 'nurse', $2) RETURNING id`,
      [nurse.email, await hashPassword(nurse.password)],
    );
    await dataSource.query('INSERT INTO care_team_members VALUES ($1, $2)', [clinic.careTeamId, nurseId]);
    // The clinic's records before the run (enrolments, earlier milestones, the last contact of the patient silent
    // for a year) go straight into PostgreSQL, dated in the simulated past; from day 0 on, everything goes
    // through MQTT and the API.
    for (const profile of VIRTUAL_COHORT) {
      const patientId = randomUUID();
      const device = { deviceId: `vc-${profile.key}-${patientId.slice(0, 6)}`.slice(0, 60), secret: `secret-${randomUUID()}` };
      patients.push({ profile, patientId, device });
      await dataSource.query(`INSERT INTO patients (id, display_name, programme, care_team_id) VALUES ($1, $2, $3, $4)`, [
        patientId,
        profile.key,
        profile.pathway,
        clinic.careTeamId,
      ]);
      await dataSource.query(`INSERT INTO devices (id, patient_id, kind, credential_hash, created_at) VALUES ($1, $2, $3, $4, $5)`, [
        device.deviceId,
        patientId,
        profile.deviceKind,
        hashSecret(device.secret),
        dayAt(-30, 0),
      ]);
      await plans.enrol(
        patientId,
        { pathway: profile.pathway, anchorAt: profile.surgeryDay === undefined ? undefined : dayAt(profile.surgeryDay, 9), assignedTo: nurseId },
        dayAt(profile.enrolDay, 9),
        doctorId,
      );
      for (const day of profile.contactDays ?? []) {
        await visits.create(patientId, nurseId, { occurredAt: dayAt(day, 10).toISOString(), type: 'telephone', outcome: 'reached' }, dayAt(day, 10));
      }
    }
    receiver = await WebhookReceiver.start('virtual-clinic-webhook-secret');
    clockDir = mkdtempSync(path.join(tmpdir(), 'rpm-clock-'));
    // A minute before day 0: the history (days -14 to -1) is in the past of every process.
    const clock = new SimulatedClockFile(path.join(clockDir, 'now'), dayAt(-1, 23 + 59 / 60));
    platform = await PlatformProcess.start({
      DATABASE_URL: databaseUrl,
      DEMO_SEED: 'false',
      SIMULATED_CLOCK_FILE: clock.file,
      FOLLOW_UP_EVERY_SECONDS: String(FOLLOW_UP_EVERY_SECONDS),
      // Missing-data rules judge the wall clock: with each day uploaded at its end, every CGM would look stale.
      SCHEDULED_RULES_EVERY_SECONDS: '86400',
      ALERT_WEBHOOK_URL: receiver.url,
      ALERT_WEBHOOK_SECRET: 'virtual-clinic-webhook-secret',
    });
    let taken = 0;
    tally = await runVirtualClinic({
      apiUrl: platform.httpUrl,
      mqttUrl: platform.mqttUrl,
      alertingUrl: platform.alertingHttpUrl,
      clock,
      start,
      days: DAYS,
      followUpEveryMs: FOLLOW_UP_EVERY_SECONDS * 1000,
      patients,
      nurse,
      doctor: clinic.doctor,
      takeReminders: () => {
        const fresh = receiver.received.slice(taken).map((hook) => hook.body as Record<string, unknown>);
        taken = receiver.received.length;
        return fresh
          .filter((body) => body.type === 'follow_up_reminder')
          .map((body): StaffReminder => ({
            kind: String(body.kind),
            patientId: String(body.patientId),
            dueAt: String(body.dueAt),
            recipientId: (body.recipient as { id: string }).id,
          }));
      },
      progress: (line) => process.stderr.write(`virtual clinic: ${line}\n`),
    });
    doctor = await ApiClient.login(platform.httpUrl, clinic.doctor.email, clinic.doctor.password);
  });

  afterAll(async () => {
    await platform?.stop();
    await receiver?.stop();
    await dataSource?.destroy();
    if (clockDir) rmSync(clockDir, { recursive: true, force: true });
  });

  it('every app says loudly that it runs on a simulated clock', () => {
    for (const app of ['gateway', 'alerting', 'api']) expect(platform.log).toContain(`${app} RUNS ON A SIMULATED CLOCK`);
  });

  it('the swinging diabetic reaches weekly at the first review and returns to monthly once stable', () => {
    const history = tally.intervals.swinging_diabetic;
    expect(history[0]).toEqual({ day: 0, interval: 7 });
    // Swinging stops on day 10; the 14-day CGM window is clear by day 24; two stable weekly contacts later, monthly.
    if (DAYS > 10 + 14 + 14) expect(history.find((entry) => entry.interval === 30 && entry.day > 0)?.day).toBeLessThanOrEqual(10 + 14 + 14);
    expect(tally.intervals.stable_diabetic).toEqual([{ day: 0, interval: 30 }]);
  });

  it('hypertension: every 2 weeks until controlled, then monthly', () => {
    expect(tally.intervals.controlled_hypertensive.slice(0, 2).map((entry) => entry.interval)).toEqual(
      DAYS > 45 ? [14, 30] : [14, 30].slice(0, tally.intervals.controlled_hypertensive.length),
    );
    expect(tally.intervals.uncontrolled_hypertensive[0].interval).toBe(14);
    // The patient who stops uploading is never stepped down while silent: without data a plan cannot be judged stable.
    expect(tally.intervals.stops_uploading[0]).toEqual({ day: 0, interval: 14 });
    const silentDays = (day: number) => STOPS_UPLOADING_SILENCES.some((silence) => day > silence.from && day <= (silence.until ?? Infinity));
    expect(tally.intervals.stops_uploading.filter((entry) => silentDays(entry.day))).toEqual([]);
  });

  it('a device that worked and went quiet: "no readings since" its last reading on the worklist, raised again while the silence outlasts the call, ended by each contact', async () => {
    const window = pathwayTemplate('hypertension')!.silence!.afterDays.blood_pressure_cuff!;
    // Each silence the run is long enough to see: its last reading (the evening before it starts), raised by the
    // daily assessment (06:00) once `window` days hold no reading (day last + window + 1 at the latest). The nurse
    // calls that morning; if the silence still holds a whole window after her call, the next assessment raises it
    // again (window + 1 days later), up to the last morning the silence is seen (its `until` day, whose readings
    // arrive that evening).
    const raisesOf = (silence: (typeof STOPS_UPLOADING_SILENCES)[number]) => {
      const days: number[] = [];
      for (let day = silence.from + window; day <= Math.min(silence.until ?? Infinity, DAYS - 1); day += window + 1) days.push(day);
      return days;
    };
    const silences = STOPS_UPLOADING_SILENCES.map((silence) => ({ ...silence, raises: raisesOf(silence) })).filter((silence) => silence.raises.length > 0);
    const items = tally.noDataItems.filter((item) => item.key === 'stops_uploading');
    expect(tally.noDataItems.filter((item) => item.key !== 'stops_uploading')).toEqual([]);
    expect(items.map((item) => item.day)).toEqual(silences.flatMap((silence) => silence.raises));
    let index = 0;
    for (const silence of silences) {
      const last = dayAt(silence.from - 1, 19);
      for (const raisedDay of silence.raises) {
        const item = items[index++];
        expect(item.since).toBe(last.toISOString());
        expect(item.reason).toContain(`no readings since ${last.toISOString().slice(0, 10)}`);
        // The nurse calls the same morning; her contact takes the item off the worklist at once.
        expect({ endedBy: item.endedBy, endedDay: item.endedDay }).toEqual({ endedBy: 'contact', endedDay: raisedDay });
      }
      // The first item: not before the window is empty, and at most a day after it.
      expect(silence.raises[0] - (silence.from - 1)).toBeGreaterThanOrEqual(window);
      expect(silence.raises[0] - (silence.from - 1)).toBeLessThanOrEqual(window + 1);
    }
    // The follow-up events behind it (not exposed by the API; read from the store): raised and closed by the
    // contact for each item, and the end of the silence recorded by the first assessment after the readings
    // resume (the day after the first day uploaded again).
    const events = (await plans.events(idOf('stops_uploading')))
      .filter((event) => event.kind.startsWith('no_data_'))
      .map((event) => `${dayOf(event.at)}:${event.kind}`);
    const expected = silences.flatMap((silence) => [
      ...silence.raises.flatMap((day) => [`${day}:no_data_raised`, `${day}:no_data_closed`]),
      ...(silence.until !== undefined && silence.until + 1 < DAYS ? [`${silence.until + 1}:no_data_resumed`] : []),
    ]);
    expect(events).toEqual(expected);
    for (const patient of patients.filter((patient) => patient.profile.key !== 'stops_uploading')) {
      expect({ patient: patient.profile.key, events: (await plans.events(patient.patientId)).filter((event) => event.kind.startsWith('no_data_')) }).toEqual({
        patient: patient.profile.key,
        events: [],
      });
    }
  });

  it('post-surgery contacts fall on days 7, 30, 90, 180 and 365 after surgery (±1 day)', () => {
    for (const patient of VIRTUAL_COHORT.filter((patient) => patient.surgeryDay !== undefined)) {
      const before = (patient.contactDays ?? []).length;
      const expected = [7, 30, 90, 180, 365].slice(before).filter((after) => patient.surgeryDay! + after < DAYS);
      const actual = tally.contactsAfterSurgery[patient.key] ?? [];
      expect({ patient: patient.key, count: actual.length }).toEqual({ patient: patient.key, count: expected.length });
      actual.forEach((after, index) => expect(Math.abs(after - expected[index])).toBeLessThanOrEqual(1));
    }
    // 45 days see the 7-, 30-, 90- and 180-day contacts; the full year the 365-day one as well.
    const seen = new Set(Object.values(tally.contactsAfterSurgery).flat());
    const milestones = [7, 30, 90, 180, 365].filter((after) =>
      VIRTUAL_COHORT.some((patient) => patient.surgeryDay !== undefined && patient.surgeryDay + after >= 0 && patient.surgeryDay + after < DAYS),
    );
    expect([7, 30, 90, 180, 365].filter((day) => seen.has(day))).toEqual(milestones);
    if (DAYS >= 45) expect(milestones).toEqual(DAYS > 285 ? [7, 30, 90, 180, 365] : [7, 30, 90, 180]);
  });

  it('every due contact is completed or shows overdue; never answering is missed at 90 days past due and lost at 12 months', () => {
    for (const patient of VIRTUAL_COHORT.filter((patient) => patient.answers)) {
      expect({ patient: patient.key, status: tally.finalStatus[patient.key] }).toEqual({ patient: patient.key, status: 'scheduled' });
    }
    const open = VIRTUAL_COHORT.filter((patient) => !patient.answers).length;
    expect(tally.contactsDue).toBe(tally.completed + open);
    // Each due date the nurse saw was completed, or is the current due of a patient who never answers, shown overdue
    // (or missed, or lost) at the end.
    const completed = new Set(tally.completedDues.map((due) => `${due.patientId}:${due.dueAt}`));
    const unanswered = tally.duesSeen.filter((due) => !completed.has(`${due.patientId}:${due.dueAt}`));
    expect(unanswered.map((due) => due.key).sort()).toEqual(['never_answers', 'silent_for_a_year']);
    for (const due of unanswered) expect(['overdue', 'missed', 'lost_to_follow_up']).toContain(tally.finalStatus[due.key]);
    // Every worklist item past due when the morning's run judged it showed at least overdue.
    expect(tally.pastDueShownScheduled).toEqual([]);
    // Never answers: enrolled day -80 at 09:00, due 14 days later (day -66): overdue from the first run; missed 90
    // days past due (day 24); lost 365 days after enrolment without a contact (day 285). Found by the next run (±1 day).
    const within = (changes: string[], all: [number, string][]) => {
      // A change is certain to have been seen once the run has gone a day past its date, and may have been on its
      // date; nothing else may have changed (no return to overdue, no status skipped).
      const expected = all.filter(([day]) => day + 1 < DAYS);
      const possible = all.filter(([day]) => day < DAYS);
      expect(changes.length).toBeGreaterThanOrEqual(expected.length);
      expect(changes.length).toBeLessThanOrEqual(possible.length);
      expect(changes.map((change) => change.split(':')[1])).toEqual(possible.slice(0, changes.length).map(([, status]) => status));
      changes.forEach((change, index) => expect(Number(change.split(':')[0]) - possible[index][0]).toBeGreaterThanOrEqual(0));
      changes.forEach((change, index) => expect(Number(change.split(':')[0]) - possible[index][0]).toBeLessThanOrEqual(1));
    };
    within(tally.statusChanges.never_answers, [
      [0, 'overdue'],
      [24, 'missed'],
      [285, 'lost_to_follow_up'],
    ]);
    // What the nurse sees: the same statuses on the worklist item, each by the morning after the stored change.
    for (const key of ['never_answers', 'silent_for_a_year']) {
      const stored = tally.statusChanges[key];
      const shown = tally.worklistStatus[key];
      expect(shown.map((change) => change.split(':')[1])).toEqual(stored.map((change) => change.split(':')[1]));
      shown.forEach((change, index) => expect(Number(change.split(':')[0]) - Number(stored[index].split(':')[0])).toBeLessThanOrEqual(1));
      shown.forEach((change, index) => expect(Number(change.split(':')[0]) - Number(stored[index].split(':')[0])).toBeGreaterThanOrEqual(0));
    }
    // Silent for a year: last contact day -340, due day -326, already missed at the first run; lost on day 25.
    within(tally.statusChanges.silent_for_a_year, [
      [0, 'missed'],
      [25, 'lost_to_follow_up'],
    ]);
  });

  it('each reminder is sent exactly once, to the responsible nurse, and never for a contact already past', () => {
    const keys = tally.reminders.map((reminder) => `${reminder.patientId}:${reminder.dueAt}:${reminder.kind}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(tally.reminders.every((reminder) => reminder.recipientId === nurseId)).toBe(true);
    // Sent on or before the contact's day, and before the nurse's contact completed it.
    expect(tally.reminders.filter((reminder) => dayOf(reminder.dueAt) < dayOf(reminder.at))).toEqual([]);
    const completedAt = new Map(tally.completedDues.map((due) => [`${due.patientId}:${due.dueAt}`, dayAt(due.day, 10).getTime()]));
    expect(tally.reminders.filter((reminder) => Date.parse(reminder.at) > (completedAt.get(`${reminder.patientId}:${reminder.dueAt}`) ?? Infinity))).toEqual(
      [],
    );
    // Each contact completed on its due day had its same-day reminder that morning.
    const sameDay = new Set(tally.reminders.filter((reminder) => reminder.kind === 'due_today').map((reminder) => `${reminder.patientId}:${reminder.dueAt}`));
    expect(tally.completedDues.filter((due) => dayOf(due.dueAt) === due.day && !sameDay.has(`${due.patientId}:${due.dueAt}`))).toEqual([]);
    expect(tally.reminders.length).toBeGreaterThan(0);
  });

  it("the dashboard's figures equal the harness's own tally", async () => {
    const { status, body } = await doctor.get<{
      from: string;
      to: string;
      totals: Record<'overdue' | 'missed' | 'lostToFollowUp' | 'completion', { count: number; of: number; patientIds: string[] }> & { patients: number };
      trend: { overdue: number; missed: number; lostToFollowUp: number; contactsCompleted: number }[];
    }>('/follow-up/dashboard?weeks=4');
    expect(status).toBe(200);
    const final = Object.values(tally.finalStatus);
    const count = (status: string) => final.filter((value) => value === status).length;
    const figures = {
      patients: body.totals.patients,
      overdue: body.totals.overdue.count,
      missed: body.totals.missed.count,
      lost: body.totals.lostToFollowUp.count,
      lastWeek: (({ overdue, missed, lostToFollowUp }) => ({ overdue, missed, lostToFollowUp }))(body.trend[body.trend.length - 1]),
      contactsInTrend: body.trend.reduce((sum, week) => sum + week.contactsCompleted, 0),
      // Due contacts of the period (due date in it) that a contact completed.
      dueCompleted: body.totals.completion.count,
    };
    process.stderr.write(
      `\nvirtual clinic, ${DAYS} simulated days:\n${summaryTable(tally, {
        overdue: figures.overdue,
        missed: figures.missed,
        lost: figures.lost,
        completion: `${body.totals.completion.count} of ${body.totals.completion.of} due in the last 4 weeks`,
      })}\n`,
    );
    process.stderr.write(
      `${JSON.stringify({
        intervals: tally.intervals,
        statusChanges: tally.statusChanges,
        worklistStatus: tally.worklistStatus,
        contactsAfterSurgery: tally.contactsAfterSurgery,
        noDataItems: tally.noDataItems,
      })}\n`,
    );
    // The dashboard's period ends at the simulated now: day DAYS-1, 10:00 plus the nurse's work.
    const from = Date.parse(body.from);
    expect(figures).toEqual({
      // The cohort and the clinic fixture's own patient, who has no plan.
      patients: VIRTUAL_COHORT.length + 1,
      overdue: count('overdue'),
      missed: count('missed'),
      lost: count('lost_to_follow_up'),
      lastWeek: { overdue: count('overdue'), missed: count('missed'), lostToFollowUp: count('lost_to_follow_up') },
      contactsInTrend: tally.completedDues.filter((due) => dayAt(due.day, 10).getTime() > from).length,
      dueCompleted: tally.completedDues.filter((due) => Date.parse(due.dueAt) >= from && Date.parse(due.dueAt) < Date.parse(body.to)).length,
    });
    expect(body.totals.overdue.patientIds.sort()).toEqual(
      patients
        .filter((patient) => tally.finalStatus[patient.profile.key] === 'overdue')
        .map((patient) => patient.patientId)
        .sort(),
    );
    expect(idOf('never_answers')).toBeDefined();
  });
});
