import { SimulatedDevice } from '../../device-simulators/src/simulated-device';
import { ApiClient } from '../support/api-client';
import { createClinic, type ClinicFixture } from '../support/fixtures';
import { PlatformProcess } from '../support/platform-process';
import { createTestDatabase } from '../support/test-services';
import { waitFor } from '../support/wait-for';

interface Visit {
  id: string;
  occurredAt: string;
  type: string;
  clinicianId: string;
  notes: string | null;
  outcome: string | null;
}

describe("a patient's record: visits and summaries, for the care team only", () => {
  let platform: PlatformProcess;
  let clinic: ClinicFixture;
  let outsider: ClinicFixture;
  let doctor: ApiClient;
  let stranger: ApiClient;

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    platform = await PlatformProcess.start({ DATABASE_URL: databaseUrl, DEMO_SEED: 'false' });
    [clinic, outsider] = [await createClinic(databaseUrl, 'record'), await createClinic(databaseUrl, 'elsewhere')];
    doctor = await ApiClient.login(platform.httpUrl, clinic.doctor.email, clinic.doctor.password);
    stranger = await ApiClient.login(platform.httpUrl, outsider.doctor.email, outsider.doctor.password);
  });
  afterAll(() => platform?.stop());

  it('records, edits and pages through visits in the name of the caller, refusing fields a client may not set', async () => {
    const visits = `/patients/${clinic.patientId}/visits`;
    const created = await doctor.post<Visit>(visits, { occurredAt: '2026-11-20T10:00:00Z', type: 'clinic', notes: 'started basal insulin' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual(expect.objectContaining({ type: 'clinic', notes: 'started basal insulin', clinicianId: expect.any(String) }));
    await doctor.post(visits, { occurredAt: '2026-11-21T10:00:00Z', type: 'telephone' });
    expect((await doctor.post(visits, { occurredAt: '2026-11-21T10:00:00Z', type: 'clinic', clinicianId: outsider.patientId })).status).toBe(400);

    const edited = await doctor.patch<Visit>(`${visits}/${created.body.id}`, { outcome: 'review in 2 weeks' });
    expect(edited.body).toEqual(expect.objectContaining({ notes: 'started basal insulin', outcome: 'review in 2 weeks' }));

    const firstPage = await doctor.get<{ visits: Visit[]; page: { total: number } }>(`${visits}?limit=1`);
    expect(firstPage.body.page.total).toBe(2);
    expect(firstPage.body.visits.map((visit) => visit.type)).toEqual(['telephone']);
    expect((await doctor.get(`${visits}?limit=5000`)).status).toBe(400);

    for (const attempt of [
      stranger.get(visits),
      stranger.post(visits, { occurredAt: '2026-11-21T10:00:00Z', type: 'clinic' }),
      stranger.patch(`${visits}/${created.body.id}`, { notes: 'x' }),
    ]) {
      expect((await attempt).status).toBe(404);
    }
  });

  it('summarises home blood pressure and adherence from the readings', async () => {
    const device = await SimulatedDevice.connect(platform.mqttUrl, clinic.device);
    // 135/84 every time: the summary drops the first calendar day (ESH), and which readings fall on it depends on
    // the time of day the test runs, so readings that differ would move the mean across the 135 limit.
    const systolic = 135;
    for (let day = 0; day < 7; day++) {
      for (const hour of [7, 19]) {
        const measuredAt = new Date(Date.now() - day * 86_400_000 - (24 - hour) * 3_600_000).toISOString();
        await device.publish({ metric: 'blood_pressure', systolic, diastolic: 84, unit: 'mmHg', measuredAt, seq: day * 2 + (hour === 7 ? 0 : 1) });
      }
    }
    await device.close();
    const summary = await waitFor('the summary over fourteen readings', async () => {
      const { body } = await doctor.get<{ bloodPressure: { readings: number } | null; adherence: { daysWithData: number } }>(
        `/patients/${clinic.patientId}/summary`,
      );
      return body.bloodPressure?.readings === 14 ? body : undefined;
    });
    expect(summary).toEqual({
      glucose: null,
      bloodPressure: { systolic: 135, diastolic: 84, readings: 14, controlled: false },
      adherence: expect.objectContaining({ ofDays: 30, meetsRpmThreshold: false }),
    });
    expect(summary.adherence.daysWithData).toBeGreaterThanOrEqual(7);
    expect((await stranger.get(`/patients/${clinic.patientId}/summary`)).status).toBe(404);
  });

  it('serves long ranges downsampled and merges readings, visits and alerts on one timeline', async () => {
    type Aggregate = { bucketMinutes: number; buckets: { count: number; fields: Record<string, { min: number; mean: number; max: number }> }[] };
    const { body } = await doctor.get<Aggregate>(`/patients/${clinic.patientId}/readings/aggregate?metric=blood_pressure&bucketMinutes=1440`);
    expect(body.bucketMinutes).toBe(1440);
    expect(body.buckets.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(14);
    expect(body.buckets.every((bucket) => bucket.fields.systolic.min === 135 && bucket.fields.systolic.max === 135)).toBe(true);
    expect((await doctor.get(`/patients/${clinic.patientId}/readings/aggregate?metric=weight`)).status).toBe(400);

    const { body: timeline } = await doctor.get<{ entries: { type: string; at: string }[] }>(
      `/patients/${clinic.patientId}/timeline?from=2026-11-01T00:00:00Z&to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
    );
    const types = new Set(timeline.entries.map((entry) => entry.type));
    // The week of 135/84 is at the 135 home limit over 12 readings after day 1 (ESH): a
    // retrospective home-mean alert may join the timeline, depending on how alerting batched the late readings.
    types.delete('alert');
    expect(types).toEqual(new Set(['reading', 'visit']));
    expect(timeline.entries.map((entry) => entry.at)).toEqual([...timeline.entries.map((entry) => entry.at)].sort());
  });

  it("reports programme metrics over the caller's care teams only", async () => {
    await doctor.post(`/patients/${clinic.patientId}/follow-up`, { pathway: 'hypertension' });
    type Metrics = {
      patients: number;
      followUp: { coveragePercent: number; scheduled: number; overdueByRisk: unknown[] };
      control: { bloodPressure: { measured: number; controlledPercent: number } };
    };
    const { status, body } = await doctor.get<Metrics>('/programme/metrics');
    expect(status).toBe(200);
    expect(body).toEqual(
      expect.objectContaining({
        patients: 1,
        followUp: expect.objectContaining({ coveragePercent: 100, scheduled: 1, overdueByRisk: [] }),
        control: expect.objectContaining({ bloodPressure: { measured: 1, controlledPercent: 0 } }),
      }),
    );
    const { body: theirs } = await stranger.get<Metrics>('/programme/metrics');
    expect(theirs).toEqual(expect.objectContaining({ patients: 1, followUp: expect.objectContaining({ coveragePercent: 0 }) }));
  });

  it('the nurse worklist: an overdue contact with call attempts and escalation, closed by a contact; a future visit is an appointment', async () => {
    const plan = `/patients/${clinic.patientId}/follow-up`;
    if ((await doctor.get(plan)).status === 404) await doctor.post(plan, { pathway: 'hypertension' });
    type Worklist = { items: { patientId: string; status: string; attempts: number; lastOutcome: string | null; escalated: boolean }[] };
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    expect((await doctor.put(plan, { nextDueAt: yesterday })).status).toBe(200);
    expect((await doctor.get<{ plan: { status: string } }>(plan)).body.plan.status).toBe('overdue');

    expect((await doctor.post(`${plan}/call-attempts`, { outcome: 'no_answer' })).body).toEqual({ attempts: 1 });
    expect((await doctor.post(`${plan}/call-attempts`, { outcome: 'hung_up' })).status).toBe(400);
    expect((await doctor.post(`${plan}/escalate`, { reason: 'three calls unanswered' })).status).toBe(200);
    const listed = await doctor.get<Worklist>('/follow-up/worklist');
    expect(listed.body.items.find((item) => item.patientId === clinic.patientId)).toEqual(
      expect.objectContaining({ status: 'overdue', attempts: 1, lastOutcome: 'no_answer', escalated: true }),
    );
    expect((await stranger.get<Worklist>('/follow-up/worklist')).body.items.some((item) => item.patientId === clinic.patientId)).toBe(false);

    const future = await doctor.post<{ status: string }>(`/patients/${clinic.patientId}/visits`, {
      occurredAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      type: 'clinic',
    });
    expect(future.body.status).toBe('appointment');
    expect((await doctor.get<{ plan: { status: string } }>(plan)).body.plan.status).toBe('overdue');
    await doctor.post(`/patients/${clinic.patientId}/visits`, { occurredAt: new Date(Date.now() - 60_000).toISOString(), type: 'telephone' });
    expect((await doctor.get<{ plan: { status: string } }>(plan)).body.plan.status).toBe('scheduled');
    expect((await doctor.get<Worklist>('/follow-up/worklist')).body.items.some((item) => item.patientId === clinic.patientId)).toBe(false);
  });
});
