import { createDataSource } from '@rpm/persistence';
import type { DataSource } from 'typeorm';
import { ApiClient } from '../../../../test/support/api-client';
import { startApiInProcess } from '../../../../test/support/api-in-process';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { createTestDatabase } from '../../../../test/support/test-services';

const phq9 = (values: number[]) => Object.fromEntries(values.map((value, index) => [`phq9-${index + 1}`, value]));

interface Recorded {
  response: { id: string; total: number; band: string; instrument: string };
  alerts: { alertId: string; kind: string }[];
}

/** Patient-reported outcomes through the API on a real PostgreSQL (docs/questionnaires.md). */
describe('questionnaires: answers entered by a clinician, scored, alerted and exported', () => {
  let api: Awaited<ReturnType<typeof startApiInProcess>>;
  let own: ClinicFixture;
  let other: ClinicFixture;
  let surgical: ClinicFixture;
  let doctor: ApiClient;
  let surgeon: ApiClient;
  let dataSource: DataSource;

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    [own, other, surgical] = await Promise.all([createClinic(databaseUrl, 'own'), createClinic(databaseUrl, 'other'), createClinic(databaseUrl, 'surgical')]);
    api = await startApiInProcess(databaseUrl);
    dataSource = await createDataSource(databaseUrl).initialize();
    [doctor, surgeon] = await Promise.all([
      ApiClient.login(api.httpUrl, own.doctor.email, own.doctor.password),
      ApiClient.login(api.httpUrl, surgical.doctor.email, surgical.doctor.password),
    ]);
    expect((await doctor.post(`/patients/${own.patientId}/follow-up`, { pathway: 'mental_health' })).status).toBe(201);
    expect((await surgeon.post(`/patients/${surgical.patientId}/follow-up`, { pathway: 'post_surgery' })).status).toBe(201);
  });

  afterAll(async () => {
    await api?.close();
    await dataSource?.destroy();
  });

  it('a PHQ-9 with item 9 above 0 opens an urgent alert to the care team', async () => {
    const recorded = await doctor.post<Recorded>(`/patients/${own.patientId}/questionnaires/phq9/responses`, { answers: phq9([1, 1, 0, 0, 0, 0, 0, 0, 1]) });
    expect(recorded.status).toBe(201);
    expect(recorded.body.response).toMatchObject({ instrument: 'phq9', total: 3, band: 'minimal' });
    expect(recorded.body.alerts).toEqual([{ alertId: expect.any(String), kind: 'opened' }]);

    const alerts = await doctor.get<{ alerts: { id: string; episode: string; severity: string; status: string; ruleId: string }[] }>(
      `/patients/${own.patientId}/alerts`,
    );
    expect(alerts.body.alerts).toEqual([
      expect.objectContaining({
        id: recorded.body.alerts[0].alertId,
        episode: 'phq9-self-harm',
        severity: 'urgent',
        status: 'open',
        ruleId: 'questionnaire.phq9_self_harm',
      }),
    ]);

    // Its delivery is queued by the alerting app: apps/alerting/src/jobs/patient-reported-alerts.int-spec.ts.

    // A second such answer while the alert is live extends the episode: no second alert.
    const again = await doctor.post<Recorded>(`/patients/${own.patientId}/questionnaires/phq9/responses`, { answers: phq9([0, 0, 0, 0, 0, 0, 0, 0, 2]) });
    expect(again.body.alerts).toEqual([]);
  });

  it('a PHQ-9 total of 20 is a warning in its own episode', async () => {
    const recorded = await doctor.post<Recorded>(`/patients/${own.patientId}/questionnaires/phq9/responses`, { answers: phq9([3, 3, 3, 3, 3, 3, 2, 0, 0]) });
    expect(recorded.body.response).toMatchObject({ total: 20, band: 'severe' });
    const [alert] = await dataSource.query('SELECT episode, severity FROM alerts WHERE id = $1', [recorded.body.alerts[0].alertId]);
    expect(alert).toEqual({ episode: 'phq9-severe', severity: 'warning' });
  });

  it.each([
    ['an item missing', { answers: { ...phq9([0, 0, 0, 0, 0, 0, 0, 0, 0]), 'phq9-9': undefined } }, 'answers.phq9-9: phq9-9 is required'],
    ['an item out of range', { answers: phq9([0, 0, 0, 4, 0, 0, 0, 0, 0]) }, 'answers.phq9-4: phq9-4 must be one of 0..3'],
    ['an unknown item', { answers: { ...phq9([0, 0, 0, 0, 0, 0, 0, 0, 0]), 'phq9-10': 1 } }, 'answers.phq9-10: phq9-10 is not an item of phq9'],
    ['no answers', {}, 'answers'],
  ])('refuses %s with 400 naming the item', async (_name, body, message) => {
    const refused = await doctor.post<{ message: string[] }>(`/patients/${own.patientId}/questionnaires/phq9/responses`, body);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body.message)).toContain(message);
  });

  it('refuses answers dated in the future', async () => {
    const refused = await doctor.post<{ message: string[] }>(`/patients/${own.patientId}/questionnaires/gad7/responses`, {
      answers: Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((item) => [`gad7-${item}`, 0])),
      answeredAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toEqual(['answeredAt: must not be in the future']);
  });

  it('answers 404 for an unknown instrument, and for another team’s patient whatever the body', async () => {
    expect((await doctor.post(`/patients/${own.patientId}/questionnaires/mmas8/responses`, { answers: {} })).status).toBe(404);
    expect((await doctor.post(`/patients/${other.patientId}/questionnaires/phq9/responses`, { answers: phq9([0, 0, 0, 0, 0, 0, 0, 0, 3]) })).status).toBe(404);
    expect((await doctor.get(`/patients/${other.patientId}/questionnaires`)).status).toBe(404);
    expect((await doctor.get(`/patients/${other.patientId}/fhir/QuestionnaireResponse`)).status).toBe(404);
    const [{ count }] = await dataSource.query('SELECT count(*)::int AS count FROM questionnaire_responses WHERE patient_id = $1', [other.patientId]);
    expect(count).toBe(0);
  });

  it('lists what the pathway asks, when it is due, and recent responses with scores and bands', async () => {
    const listed = await doctor.get<{
      pathway: string;
      assigned: { instrument: string; everyDays: number; due: boolean }[];
      recent: { instrument: string; total: number; band: string; maxScore: number }[];
    }>(`/patients/${own.patientId}/questionnaires`);
    expect(listed.status).toBe(200);
    expect(listed.body.pathway).toBe('mental_health');
    expect(listed.body.assigned.map(({ instrument, everyDays, due }) => [instrument, everyDays, due])).toEqual([
      ['phq9', 14, false],
      ['gad7', 14, true],
    ]);
    expect(listed.body.recent[0]).toMatchObject({ instrument: 'phq9', total: 20, band: 'severe', maxScore: 27 });
  });

  it('post-operative pain of 7 is a warning, 6 is not; a wound check with a yes is a warning', async () => {
    const six = await surgeon.post<Recorded>(`/patients/${surgical.patientId}/questionnaires/pain_nrs/responses`, { answers: { 'pain-1': 6 } });
    expect(six.body).toMatchObject({ response: { band: 'moderate' }, alerts: [] });
    const seven = await surgeon.post<Recorded>(`/patients/${surgical.patientId}/questionnaires/pain_nrs/responses`, { answers: { 'pain-1': 7 } });
    expect(seven.body.alerts).toHaveLength(1);
    const wound = await surgeon.post<Recorded>(`/patients/${surgical.patientId}/questionnaires/wound_check/responses`, {
      answers: { 'wound-redness': 0, 'wound-discharge': 1, 'wound-fever': 0, 'wound-opening': 0 },
    });
    expect(wound.body.alerts).toHaveLength(1);
    const episodes = await dataSource.query('SELECT episode, severity FROM alerts WHERE patient_id = $1 ORDER BY episode', [surgical.patientId]);
    expect(episodes).toEqual([
      { episode: 'post-op-pain', severity: 'warning' },
      { episode: 'wound-warning-signs', severity: 'warning' },
    ]);
  });

  it('exports responses as FHIR R4 QuestionnaireResponses with the PHQ-9 total as LOINC 44261-6', async () => {
    const bundle = await doctor.get<{ total: number; entry: { resource: Record<string, unknown>; search: { mode: string } }[] }>(
      `/patients/${own.patientId}/fhir/QuestionnaireResponse`,
    );
    expect(bundle.status).toBe(200);
    expect(bundle.body.total).toBe(3);
    const responses = bundle.body.entry.filter((entry) => entry.resource.resourceType === 'QuestionnaireResponse');
    expect(responses).toHaveLength(3);
    expect(responses[0].resource).toMatchObject({
      status: 'completed',
      questionnaire: 'urn:rpm:questionnaire:phq9|1',
      subject: { reference: `Patient/${own.patientId}` },
    });
    const totals = bundle.body.entry.filter((entry) => entry.resource.resourceType === 'Observation');
    expect(totals[0]).toMatchObject({ search: { mode: 'include' }, resource: { code: { coding: [{ code: '44261-6' }] }, valueInteger: 20 } });
  });

  it('a contact gives the patient the satisfaction survey, listed as open until a response answers it', async () => {
    expect((await surgeon.post(`/patients/${surgical.patientId}/visits`, { occurredAt: new Date().toISOString(), type: 'telephone' })).status).toBe(201);
    const listed = await surgeon.get<{ open: { instrument: string; title: string }[] }>(`/patients/${surgical.patientId}/questionnaires`);
    expect(listed.body.open).toEqual([expect.objectContaining({ instrument: 'contact_satisfaction', title: 'Your last contact with the care team' })]);
    const recorded = await surgeon.post<Recorded>(`/patients/${surgical.patientId}/questionnaires/contact_satisfaction/responses`, {
      answers: { 'satisfaction-overall': 5, 'satisfaction-helped': 2, 'satisfaction-recommend': 1 },
    });
    expect(recorded.status).toBe(201);
    expect(recorded.body.response).toEqual(expect.objectContaining({ total: 8, band: 'high satisfaction' }));
    expect(recorded.body.alerts).toEqual([]);
    expect((await surgeon.get<{ open: unknown[] }>(`/patients/${surgical.patientId}/questionnaires`)).body.open).toEqual([]);
  });

  it('shows responses on the patient timeline', async () => {
    const timeline = await doctor.get<{ entries: { type: string; instrument?: string; total?: number }[] }>(`/patients/${own.patientId}/timeline`);
    expect(timeline.status).toBe(200);
    expect(timeline.body.entries.filter((entry) => entry.type === 'questionnaire')).toHaveLength(3);
  });
});
