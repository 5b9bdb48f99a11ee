import { ManualClock } from '@rpm/clinical';
import type { NormalizedReading } from '@rpm/contracts';
import { FollowUpPlanRepository, VisitRepository, createDataSource } from '@rpm/persistence';
import { PostgresReadingStore } from '@rpm/timeseries';
import type { DataSource } from 'typeorm';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { createTestDatabase } from '../../../../test/support/test-services';
import { JobFailures } from '../jobs/job-failures';
import { AlertingMetrics } from '../observability/alerting-metrics';
import { FollowUpJob } from './follow-up.job';
import { PatientAssessment } from './patient-assessment';

const DAY = 86_400_000;
const start = new Date('2026-02-02T06:00:00Z');
const day = (n: number) => new Date(start.getTime() + n * DAY);

/*
 * A hypertensive patient with a home cuff (2 readings a day) stops uploading after day 10. The pathway's
 * window for a cuff is 7 days: the daily job (06:00) raises one "no readings since" item on day 18, the first
 * day whose 7-day window holds no reading, not again on the
 * following days, keeps the tier and due date, a contact closes the item without raising it again while the
 * silence lasts, readings resuming record the end of the silence, and a second silence is raised anew.
 */
describe('follow-up job on real PostgreSQL: a patient who stops uploading', () => {
  let dataSource: DataSource;
  let store: PostgresReadingStore;
  let job: FollowUpJob;
  let clinic: ClinicFixture;
  let plans: FollowUpPlanRepository;
  let doctorId: string;
  const clock = new ManualClock(start);

  const cuff = (at: Date): NormalizedReading =>
    ({
      patientId: clinic.patientId,
      deviceId: clinic.device.deviceId,
      metric: 'blood_pressure',
      measuredAt: at.toISOString(),
      receivedAt: at.toISOString(),
      seq: null,
      unit: 'mmHg',
      values: { systolic: 128, diastolic: 79 },
      original: { unit: 'mmHg', values: { systolic: 128, diastolic: 79 } },
      context: { source: 'cuff' },
    }) as NormalizedReading;
  /** Morning and evening readings on days [from, to). */
  const upload = (from: number, to: number) =>
    store.write(
      Array.from({ length: to - from }, (_, n) => [
        cuff(new Date(day(from + n).getTime() + 3_600_000)),
        cuff(new Date(day(from + n).getTime() + 13 * 3_600_000)),
      ]).flat(),
    );
  const noDataEvents = async () => (await plans.events(clinic.patientId)).filter((event) => event.kind.startsWith('no_data_'));
  const openItems = async () => (await plans.noReadings([clinic.patientId])).get(clinic.patientId) ?? null;
  const runDays = async (from: number, to: number) => {
    for (let n = from; n <= to; n++) await job.runOnce(day(n));
  };

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    dataSource = await createDataSource(databaseUrl).initialize();
    store = new PostgresReadingStore(databaseUrl);
    job = new FollowUpJob(dataSource, new PatientAssessment(dataSource, store), new JobFailures(new AlertingMetrics()), [], clock);
    clinic = await createClinic(databaseUrl, 'silent');
    await dataSource.query(`UPDATE devices SET kind = 'blood_pressure_cuff', created_at = $2 WHERE id = $1`, [clinic.device.deviceId, day(-1)]);
    plans = new FollowUpPlanRepository(dataSource);
    [{ id: doctorId }] = await dataSource.query('SELECT id FROM users WHERE email = $1', [clinic.doctor.email]);
    await plans.enrol(clinic.patientId, { pathway: 'hypertension' }, day(0), doctorId);
  });

  afterAll(async () => {
    await store?.close();
    await dataSource?.destroy();
  });

  it('raises one "no readings since" item once 7 days hold no reading, once, without moving the plan', async () => {
    await upload(0, 11); // the last reading: day 10, 19:00
    await runDays(1, 17);
    expect(await noDataEvents()).toEqual([]);
    const before = (await plans.plan(clinic.patientId))!;

    await runDays(18, 22);

    const events = await noDataEvents();
    expect(events.map((event) => [event.kind, Math.round((event.at.getTime() - start.getTime()) / DAY)])).toEqual([['no_data_raised', 18]]);
    expect(events[0].detail).toMatchObject({ since: new Date(day(10).getTime() + 13 * 3_600_000).toISOString() });
    const item = await openItems();
    expect(item?.since).toEqual(new Date(day(10).getTime() + 13 * 3_600_000));
    expect(item?.reason).toBe('check on the patient: no readings since 2026-02-12 (blood pressure cuff 0 of 14 expected in 7 days)');
    // A nurse's item, not a silent change of tier: the plan's interval, tier and due date are as they were.
    const after = (await plans.plan(clinic.patientId))!;
    expect([after.tier, after.intervalDays, after.nextDueAt]).toEqual([before.tier, before.intervalDays, before.nextDueAt]);
    const [task] = await dataSource.query(`SELECT kind, discipline, status FROM follow_up_tasks WHERE patient_id = $1`, [clinic.patientId]);
    expect(task).toEqual({ kind: 'no_readings', discipline: 'nursing', status: 'open' });
  });

  it('a contact closes the item; the same silence is not raised again within a window of the contact', async () => {
    clock.set(new Date(day(23).getTime() + 3_600_000));
    await new VisitRepository(dataSource).create(clinic.patientId, doctorId, { occurredAt: clock.now().toISOString(), type: 'telephone' }, clock.now());
    expect(await openItems()).toBeNull();
    await runDays(24, 27);
    expect((await noDataEvents()).map((event) => event.kind)).toEqual(['no_data_raised', 'no_data_closed']);
    expect(await openItems()).toBeNull();
  });

  it('readings resuming end the silence; a later silence is raised anew and resuming closes its item', async () => {
    await upload(28, 30);
    await runDays(28, 29);
    expect((await noDataEvents()).map((event) => event.kind)).toEqual(['no_data_raised', 'no_data_closed', 'no_data_resumed']);

    // Silent again after day 29: raised on day 37, once.
    await runDays(30, 38);
    expect((await noDataEvents()).map((event) => event.kind)).toEqual(['no_data_raised', 'no_data_closed', 'no_data_resumed', 'no_data_raised']);
    expect((await openItems())?.since).toEqual(new Date(day(29).getTime() + 13 * 3_600_000));

    await upload(39, 40);
    await runDays(40, 40);
    expect((await noDataEvents()).map((event) => event.kind)).toEqual([
      'no_data_raised',
      'no_data_closed',
      'no_data_resumed',
      'no_data_raised',
      'no_data_resumed',
    ]);
    expect(await openItems()).toBeNull();
    const tasks = await dataSource.query(`SELECT status, outcome FROM follow_up_tasks WHERE patient_id = $1 ORDER BY created_at`, [clinic.patientId]);
    expect(tasks).toEqual([
      { status: 'done', outcome: 'contact recorded' },
      { status: 'done', outcome: 'readings resumed' },
    ]);
  });
});
