import type { NormalizedReading } from '@rpm/contracts';
import { PostgresReadingStore } from '@rpm/timeseries';
import type { DataSource } from 'typeorm';
import { addPatient, createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { createTestDatabase } from '../../../../test/support/test-services';
import { createDataSource } from '../data-source';
import { FollowUpDashboardRepository, followUpDashboardForCareTeam } from './follow-up-dashboard.repository';
import { FollowUpPlanRepository } from './follow-up-plan.repository';

const DAY = 86_400_000;

/** Twice a day for `days` days up to `now`: morning and evening home readings, all at the given pressure. */
function homeBp(patientId: string, now: Date, days: number, systolic: number, diastolic: number): NormalizedReading[] {
  return Array.from({ length: days * 2 }, (_, index) => {
    const measuredAt = new Date(now.getTime() - (index * DAY) / 2 - 3_600_000).toISOString();
    return {
      patientId,
      deviceId: `cuff-${patientId.slice(0, 8)}`,
      metric: 'blood_pressure',
      measuredAt,
      receivedAt: measuredAt,
      seq: null,
      unit: 'mmHg',
      values: { systolic, diastolic },
      original: { unit: 'mmHg', values: { systolic, diastolic } },
      context: {},
    } satisfies NormalizedReading;
  });
}

/**
 * The dashboard's facts from a real, migrated PostgreSQL and a real reading store: the scope (a clinician's
 * care teams, one care team), the stored statuses and contacts, the visits that make a readmission, and the
 * home BP summaries behind coverage and control.
 */
describe('the follow-up dashboard repository on real PostgreSQL', () => {
  let dataSource: DataSource;
  let store: PostgresReadingStore;
  let ours: ClinicFixture;
  let theirs: ClinicFixture;
  let doctorId: string;
  let controlled: string;
  const now = new Date();

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    dataSource = await createDataSource(databaseUrl).initialize();
    store = new PostgresReadingStore(databaseUrl);
    await store.init();
    ours = await createClinic(databaseUrl, 'dash');
    theirs = await createClinic(databaseUrl, 'other');
    doctorId = (await dataSource.query('SELECT id FROM users WHERE email = $1', [ours.doctor.email]))[0].id;
    controlled = (await addPatient(databaseUrl, ours.careTeamId, 'Controlled BP')).patientId;

    const plans = new FollowUpPlanRepository(dataSource);
    await plans.enrol(ours.patientId, { pathway: 'post_surgery', anchorAt: new Date(now.getTime() - 20 * DAY), assignedTo: doctorId }, now);
    await plans.setByClinician(ours.patientId, doctorId, { nextDueAt: new Date(now.getTime() - 2 * DAY) }, now);
    await dataSource.query(`INSERT INTO visits (patient_id, occurred_at, type) VALUES ($1, $2, 'admission')`, [
      ours.patientId,
      new Date(now.getTime() - 5 * DAY),
    ]);
    await plans.enrol(controlled, { pathway: 'hypertension' }, new Date(now.getTime() - 30 * DAY));
    await store.write([...homeBp(controlled, now, 7, 124, 78), ...homeBp(ours.patientId, now, 7, 150, 95)]);
    await plans.enrol(theirs.patientId, { pathway: 'diabetes' }, now);
  });
  afterAll(async () => {
    await store?.close();
    await dataSource?.destroy();
  });

  it("counts a clinician's patients only, with the stored status, control, coverage and the readmission", async () => {
    const dashboard = await new FollowUpDashboardRepository(dataSource).dashboard({ userId: doctorId }, store, now, 12);
    expect(dashboard.patients.map((patient) => patient.patientId).sort()).toEqual([ours.patientId, controlled].sort());
    expect(dashboard.totals.overdue.patientIds).toEqual([ours.patientId]);
    expect(dashboard.totals.coverage).toEqual(expect.objectContaining({ count: 2, of: 2 }));
    expect(dashboard.totals.bloodPressureControl).toEqual({ count: 1, of: 2, percent: 50, patientIds: [controlled] });
    expect(dashboard.totals.readmissions).toEqual({ count: 1, of: 1, percent: 100, patientIds: [ours.patientId] });
    expect(dashboard.byClinician.find((group) => group.clinicianId === doctorId)?.figures.patients).toBe(1);
    expect(dashboard.trend.at(-1)).toEqual(expect.objectContaining({ overdue: 1 }));
  });

  it('gives nothing for a care team the clinician is not on', async () => {
    const dashboard = await new FollowUpDashboardRepository(dataSource).dashboard({ userId: doctorId, careTeamId: theirs.careTeamId }, store, now, 12);
    expect(dashboard.patients).toEqual([]);
  });

  it('followUpDashboardForCareTeam gives the same figures as the clinician of that one team sees', async () => {
    const forTeam = await followUpDashboardForCareTeam(dataSource, store, ours.careTeamId, { now, weeks: 12 });
    const forDoctor = await new FollowUpDashboardRepository(dataSource).dashboard({ userId: doctorId }, store, now, 12);
    expect(forTeam).toEqual(forDoctor);
  });

  it('counts the others when one patient’s readings cannot be read', async () => {
    const failing = {
      query: (query: Parameters<PostgresReadingStore['query']>[0]) =>
        query.patientId === controlled ? Promise.reject(new Error('store down')) : store.query(query),
    };
    const dashboard = await new FollowUpDashboardRepository(dataSource).dashboard({ userId: doctorId }, failing, now, 12);
    expect(dashboard.totals.bloodPressureControl).toEqual({ count: 0, of: 1, percent: 0, patientIds: [] });
    expect(dashboard.totals.coverage.patientIds).toEqual([ours.patientId]);
  });
});
