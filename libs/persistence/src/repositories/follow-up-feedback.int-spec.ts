import { PostgresReadingStore } from '@rpm/timeseries';
import type { DataSource } from 'typeorm';
import { addPatient, createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { createTestDatabase } from '../../../../test/support/test-services';
import { createDataSource } from '../data-source';
import { FollowUpDashboardRepository } from './follow-up-dashboard.repository';
import { FollowUpPlanRepository } from './follow-up-plan.repository';
import { PatientContactRepository } from './patient-contact.repository';
import { QuestionnaireResponseRepository } from './questionnaire-response.repository';
import { VisitRepository } from './visit.repository';

const DAY = 86_400_000;
const now = new Date('2026-05-20T12:00:00Z');
const ago = (days: number) => new Date(now.getTime() - days * DAY);

/**
 * The programme's feedback loop on real, migrated PostgreSQL: a contact gives the patient the satisfaction
 * survey, a response answers it (and names the contact's clinician on the dashboard), and the reminders sent
 * per channel are set against what the patients answered.
 */
describe('satisfaction after contacts and reminder response per channel, on real PostgreSQL', () => {
  let dataSource: DataSource;
  let store: PostgresReadingStore;
  let clinic: ClinicFixture;
  let second: string;
  let doctorId: string;
  let visits: VisitRepository;
  let responses: QuestionnaireResponseRepository;
  let contacts: PatientContactRepository;

  const satisfaction = (patientId: string, overall: number, helped: number, recommend: number, at: Date) =>
    responses.record(
      patientId,
      {
        instrument: 'contact_satisfaction',
        instrumentVersion: 1,
        answers: { 'satisfaction-overall': overall, 'satisfaction-helped': helped, 'satisfaction-recommend': recommend },
        total: overall + helped + recommend,
        band: 'any',
        answeredAt: at,
        enteredBy: null,
        source: 'patient',
      },
      [],
    );
  /** A reminder for the contact due `dueAt`, sent through `channel` at `at`. */
  const sendReminder = async (patientId: string, dueAt: Date, kind: string, channel: string, at: Date) => {
    await contacts.recordReminder(patientId, dueAt, kind, at, at);
    const [claimed] = (await contacts.claimDue(at)).filter((reminder) => reminder.patient_id === patientId && reminder.kind === kind);
    await contacts.settle(claimed, { status: 'sent', channel, at });
  };

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    dataSource = await createDataSource(databaseUrl).initialize();
    store = new PostgresReadingStore(databaseUrl);
    await store.init();
    clinic = await createClinic(databaseUrl, 'feedback');
    second = (await addPatient(databaseUrl, clinic.careTeamId, 'Second Patient')).patientId;
    doctorId = (await dataSource.query('SELECT id FROM users WHERE email = $1', [clinic.doctor.email]))[0].id;
    const plans = new FollowUpPlanRepository(dataSource);
    await plans.enrol(clinic.patientId, { pathway: 'hypertension', assignedTo: doctorId }, ago(60));
    await plans.enrol(second, { pathway: 'hypertension' }, ago(60));
    visits = new VisitRepository(dataSource);
    responses = new QuestionnaireResponseRepository(dataSource);
    contacts = new PatientContactRepository(dataSource);
  });
  afterAll(async () => {
    await store?.close();
    await dataSource?.destroy();
  });

  it('a contact gives the patient the survey; the next contact supersedes it; a response answers it once', async () => {
    await visits.create(clinic.patientId, doctorId, { occurredAt: ago(20).toISOString(), type: 'telephone' }, ago(20));
    expect((await responses.openAssignments(clinic.patientId, ago(19))).map((open) => open.instrument)).toEqual(['contact_satisfaction']);
    // A visit that is not a contact (an admission) and an appointment give none; a second contact replaces the first's.
    await visits.create(clinic.patientId, doctorId, { occurredAt: ago(12).toISOString(), type: 'admission' }, ago(12));
    await visits.create(clinic.patientId, doctorId, { occurredAt: ago(-5).toISOString(), type: 'clinic' }, ago(10));
    await visits.create(clinic.patientId, doctorId, { occurredAt: ago(10).toISOString(), type: 'video' }, ago(10));
    const open = await responses.openAssignments(clinic.patientId, ago(9));
    expect(open).toHaveLength(1);
    expect(open[0].assignedAt).toEqual(ago(10));

    await satisfaction(clinic.patientId, 4, 2, 2, ago(8));
    expect(await responses.openAssignments(clinic.patientId, ago(7))).toEqual([]);
    const rows = await dataSource.query(`SELECT status FROM questionnaire_assignments WHERE patient_id = $1 ORDER BY assigned_at`, [clinic.patientId]);
    expect(rows.map((row: { status: string }) => row.status)).toEqual(['superseded', 'answered']);
    // A contact recorded more than 14 days after it happened gives no survey (it would already be closed).
    await visits.create(second, doctorId, { occurredAt: ago(30).toISOString(), type: 'telephone' }, ago(15));
    expect(await responses.openAssignments(second, ago(15))).toEqual([]);
    // The survey closes 14 days after the contact.
    await visits.create(second, doctorId, { occurredAt: ago(6).toISOString(), type: 'home' }, ago(6));
    expect(await responses.openAssignments(second, ago(-7.9))).toHaveLength(1);
    expect(await responses.openAssignments(second, ago(-8))).toEqual([]);
  });

  it('the dashboard shows the survey per clinician and care team, and the reminders answered per channel', async () => {
    await satisfaction(second, 2, 0, 1, ago(5));
    // An answer with no survey open (a paper form entered late) is kept but not a contact's survey.
    await satisfaction(second, 5, 2, 2, ago(4));

    const due = ago(-2);
    await sendReminder(clinic.patientId, due, 'due_in_7_days', 'sms', ago(5));
    await sendReminder(clinic.patientId, due, 'due_in_3_days', 'email', ago(1));
    await sendReminder(second, due, 'due_in_7_days', 'email', ago(9));
    await contacts.recordPatientAnswer(clinic.patientId, due, 'confirm', ago(4));

    const dashboard = await new FollowUpDashboardRepository(dataSource).dashboard({ userId: doctorId }, store, now, 4);

    expect(dashboard.satisfaction).toMatchObject({ responses: 2, meanSatisfaction: 3, helpedPercent: 50, recommendPercent: 50 });
    expect(dashboard.satisfaction.byClinician).toEqual([expect.objectContaining({ clinicianId: doctorId, responses: 2, meanSatisfaction: 3 })]);
    expect(dashboard.satisfaction.byCareTeam).toEqual([expect.objectContaining({ careTeamId: clinic.careTeamId, responses: 2 })]);
    expect(dashboard.satisfaction.trend.map((week) => week.responses)).toEqual([0, 0, 1, 1]);
    // sms (5 days ago): the confirm a day later answers it. email: the second patient's, 9 days ago, is answered
    // by their survey 4 days later (a questionnaire answered); the first patient's, a day ago, is still awaiting.
    expect(dashboard.responseByChannel).toEqual([
      { channel: 'email', sent: 2, responded: 1, awaiting: 1, percent: 100 },
      { channel: 'sms', sent: 1, responded: 1, awaiting: 0, percent: 100 },
    ]);
  });
});
