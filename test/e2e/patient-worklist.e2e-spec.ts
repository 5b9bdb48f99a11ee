import { SimulatedDevice } from '../../device-simulators/src/simulated-device';
import { ApiClient } from '../support/api-client';
import { addPatient, createClinic, type ClinicFixture } from '../support/fixtures';
import { PlatformProcess } from '../support/platform-process';
import { createTestDatabase } from '../support/test-services';
import { waitFor } from '../support/wait-for';

interface WorklistPatient {
  id: string;
  displayName: string;
  openAlerts: { urgent: number; warning: number; info: number };
}
interface Alert {
  id: string;
  severity: string;
  status: string;
}
interface Page {
  limit: number;
  offset: number;
  total: number;
}

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

describe("the care team's worklist: who needs attention first, alerts paged and commented", () => {
  let platform: PlatformProcess;
  let clinic: ClinicFixture;
  let doctor: ApiClient;
  let stranger: ApiClient;
  let outsider: ClinicFixture;
  const names = { urgent: 'Zed Urgent', warning: 'Yan Warning', quiet: 'Abe Quiet' };
  const ids: Record<keyof typeof names, string> = { urgent: '', warning: '', quiet: '' };

  async function publishGlucose(device: { deviceId: string; secret: string }, values: number[]): Promise<void> {
    const meter = await SimulatedDevice.connect(platform.mqttUrl, device);
    for (const [index, value] of values.entries()) {
      await meter.publish({ metric: 'glucose', value, unit: 'mg/dL', source: 'meter', measuredAt: minutesAgo(values.length - index), seq: index });
    }
    await meter.close();
  }

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    platform = await PlatformProcess.start({ DATABASE_URL: databaseUrl, DEMO_SEED: 'false' });
    clinic = await createClinic(databaseUrl, 'worklist');
    outsider = await createClinic(databaseUrl, 'outsider');
    doctor = await ApiClient.login(platform.httpUrl, clinic.doctor.email, clinic.doctor.password);
    stranger = await ApiClient.login(platform.httpUrl, outsider.doctor.email, outsider.doctor.password);
    const [urgent, warning, quiet] = await Promise.all([
      addPatient(databaseUrl, clinic.careTeamId, names.urgent),
      addPatient(databaseUrl, clinic.careTeamId, names.warning),
      addPatient(databaseUrl, clinic.careTeamId, names.quiet),
    ]);
    Object.assign(ids, { urgent: urgent.patientId, warning: warning.patientId, quiet: quiet.patientId });
    await publishGlucose(warning.device, [110, 65]); // ADA level 1 (< 70 mg/dL): a warning
    await publishGlucose(urgent.device, [65, 110, 48]); // a level 1 episode that resolved, then level 2 (< 54 mg/dL): urgent
    await publishGlucose(quiet.device, [120]);
    await waitFor('alerts for both patients', async () => {
      const [urgentAlerts, warningAlerts] = await Promise.all([
        doctor.get<{ alerts: Alert[] }>(`/patients/${ids.urgent}/alerts`),
        doctor.get<{ alerts: Alert[] }>(`/patients/${ids.warning}/alerts?status=open`),
      ]);
      const urgentOpen = urgentAlerts.body.alerts.some((alert) => alert.severity === 'urgent' && alert.status === 'open');
      return urgentOpen && urgentAlerts.body.alerts.length === 2 && warningAlerts.body.alerts.length === 1 ? true : undefined;
    });
  });
  afterAll(() => platform?.stop());

  it('lists the patients with open urgent alerts first, then warnings, then the rest by name (case aside)', async () => {
    const { status, body } = await doctor.get<{ patients: WorklistPatient[]; page: Page }>('/patients');
    expect(status).toBe(200);
    expect(body.patients.map((patient) => patient.displayName)).toEqual([names.urgent, names.warning, names.quiet, 'worklist patient']);
    expect(body.patients[0].openAlerts).toEqual({ urgent: 1, warning: 0, info: 0 });
    expect(body.patients[1].openAlerts).toEqual({ urgent: 0, warning: 1, info: 0 });
    expect(body.page).toEqual({ limit: 50, offset: 0, total: 4 });
  });

  it('pages the list and refuses a page size over 200', async () => {
    const second = await doctor.get<{ patients: WorklistPatient[]; page: Page }>('/patients?limit=2&offset=2');
    expect(second.body.patients.map((patient) => patient.displayName)).toEqual([names.quiet, 'worklist patient']);
    expect(second.body.page.total).toBe(4);
    expect((await doctor.get('/patients?limit=201')).status).toBe(400);
    expect((await stranger.get<{ patients: WorklistPatient[] }>('/patients')).body.patients.map((patient) => patient.id)).toEqual([outsider.patientId]);
  });

  it('moves a patient down the list once the care team acknowledges the alert', async () => {
    const { body } = await doctor.get<{ alerts: Alert[] }>(`/patients/${ids.warning}/alerts?status=open`);
    expect((await doctor.post(`/patients/${ids.warning}/alerts/${body.alerts[0].id}/acknowledge`)).status).toBe(200);
    const { body: list } = await doctor.get<{ patients: WorklistPatient[] }>('/patients');
    expect(list.patients.map((patient) => patient.displayName)).toEqual([names.urgent, names.quiet, 'worklist patient', names.warning]);
  });

  it('filters and pages a patient’s alerts', async () => {
    const all = await doctor.get<{ alerts: Alert[]; page: Page }>(`/patients/${ids.urgent}/alerts`);
    expect(all.body.page.total).toBe(all.body.alerts.length);
    const urgentOnly = await doctor.get<{ alerts: Alert[]; page: Page }>(`/patients/${ids.urgent}/alerts?severity=urgent`);
    expect(all.body.alerts.map((alert) => alert.severity)).toEqual(['urgent', 'warning']); // newest first
    expect(urgentOnly.body.alerts.map((alert) => alert.severity)).toEqual(['urgent']);
    const firstOnly = await doctor.get<{ alerts: Alert[]; page: Page }>(`/patients/${ids.urgent}/alerts?limit=1`);
    expect(firstOnly.body.alerts).toHaveLength(1);
    expect(firstOnly.body.page.total).toBe(all.body.page.total);
    expect((await doctor.get(`/patients/${ids.urgent}/alerts?severity=severe`)).status).toBe(400);
  });

  it('keeps the care team’s comments on an alert, in order, in the caller’s name', async () => {
    const { body } = await doctor.get<{ alerts: Alert[] }>(`/patients/${ids.urgent}/alerts?severity=urgent`);
    const comments = `/patients/${ids.urgent}/alerts/${body.alerts[0].id}/comments`;
    const first = await doctor.post<{ id: string; text: string; authorName: string }>(comments, {
      text: 'Called the patient: had skipped lunch, now 92 mg/dL.',
    });
    expect(first.status).toBe(201);
    expect(first.body).toEqual(expect.objectContaining({ text: 'Called the patient: had skipped lunch, now 92 mg/dL.', authorName: 'Dr worklist' }));
    await doctor.post(comments, { text: 'Basal dose reduced.' });
    expect((await doctor.post(comments, { text: '   ' })).status).toBe(400);
    expect((await doctor.post(comments, { text: 'x', authorId: clinic.patientId })).status).toBe(400);
    const listed = await doctor.get<{ comments: { text: string }[] }>(comments);
    expect(listed.body.comments.map((comment) => comment.text)).toEqual(['Called the patient: had skipped lunch, now 92 mg/dL.', 'Basal dose reduced.']);
    expect((await stranger.get(comments)).status).toBe(404);
    expect((await stranger.post(comments, { text: 'not mine' })).status).toBe(404);
    expect((await doctor.get(`/patients/${ids.quiet}/alerts/${body.alerts[0].id}/comments`)).status).toBe(404);
  });

  it('serves Prometheus metrics labelled by route template, never by a patient id', async () => {
    const response = await fetch(`${platform.httpUrl}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/rpm_api_http_request_duration_seconds_count\{method="GET",route="\/patients\/:patientId\/alerts",status="200"\} \d+/);
    expect(text).toMatch(
      /rpm_api_http_request_duration_seconds_count\{method="GET",route="\/patients\/:patientId\/alerts\/:alertId\/comments",status="404"\} \d+/,
    );
    expect(text).not.toContain(ids.urgent);
  });
});
