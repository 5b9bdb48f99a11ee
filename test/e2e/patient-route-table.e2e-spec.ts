import { ApiClient } from '../support/api-client';
import { apiRoutes } from '../support/api-routes';
import { createAdmin, createClinic, type ClinicFixture } from '../support/fixtures';
import { PlatformProcess } from '../support/platform-process';
import { createTestDatabase } from '../support/test-services';

interface OpenApiOperation {
  requestBody?: unknown;
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema?: { type?: string; properties?: Record<string, unknown> } }> }>;
}

describe('the route table: patient routes answer 404 outside the caller’s care teams, admin routes 403 to clinicians', () => {
  let platform: PlatformProcess;
  let patient: ClinicFixture;
  let stranger: ApiClient;
  let databaseUrl: string;
  const patientRoutes = apiRoutes().filter((route) => route.path.includes(':patientId'));

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    platform = await PlatformProcess.start({ DATABASE_URL: databaseUrl, DEMO_SEED: 'false' });
    patient = await createClinic(databaseUrl, 'guarded');
    const outsider = await createClinic(databaseUrl, 'stranger');
    stranger = await ApiClient.login(platform.httpUrl, outsider.doctor.email, outsider.doctor.password);
  });
  afterAll(() => platform?.stop());

  it('reads the route table', () => {
    expect(patientRoutes.length).toBeGreaterThanOrEqual(15);
  });

  it.each(
    apiRoutes()
      .filter((route) => route.path.includes(':patientId'))
      .map((route) => [route.method, route.path]),
  )('%s %s', async (method, path) => {
    const url = path
      .replace(':patientId', patient.patientId)
      .replace(/:(alertId|visitId|taskId)/, '00000000-0000-4000-8000-000000000000')
      .replace(':deviceId', patient.device.deviceId)
      .replace(':ruleId', 'glucose.level2_hypo')
      .replace(':instrument', 'phq9')
      .replace(':changeId', '1');
    const response = await fetch(`${platform.httpUrl}${url}`, {
      method,
      headers: { authorization: stranger.authorization, 'content-type': 'application/json' },
      body: method === 'GET' ? undefined : '{}',
    });
    expect(response.status).toBe(404);
  });

  it.each(
    apiRoutes()
      .filter((route) => route.path.startsWith('/admin'))
      .map((route) => [route.method, route.path]),
  )('a clinician gets 403 from %s %s', async (method, path) => {
    const response = await fetch(`${platform.httpUrl}${path.replace(':careTeamId', patient.careTeamId)}`, {
      method,
      headers: { authorization: stranger.authorization, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(403);
  });

  it('an administrator sets up a team, a clinician and a patient, and only that team sees the patient', async () => {
    const admin = await createAdmin(databaseUrl);
    const api = await ApiClient.login(platform.httpUrl, admin.email, admin.password);
    const { body: team } = await api.post<{ id: string }>('/admin/care-teams', { name: 'Heart failure clinic' });
    const nurse = { email: `nurse.${Date.now()}@example.org`, password: 'a-long-enough-password', displayName: 'Nurse N', role: 'nurse' };
    const { status, body: user } = await api.post<{ id: string; role: string }>('/admin/users', nurse);
    expect(status).toBe(201);
    expect(user.role).toBe('nurse');
    expect((await api.post('/admin/users', nurse)).status).toBe(409);
    expect((await api.post('/admin/users', { ...nurse, email: 'x@example.org', password: 'short' })).status).toBe(400);
    await api.post(`/admin/care-teams/${team.id}/members`, { userId: user.id });
    const { body: created } = await api.post<{ id: string; timeZone: string }>('/admin/patients', {
      displayName: 'New Patient',
      programme: 'hypertension',
      careTeamId: team.id,
      timeZone: 'Europe/London',
    });
    expect(created.timeZone).toBe('Europe/London');

    const nurseApi = await ApiClient.login(platform.httpUrl, nurse.email, nurse.password);
    expect((await nurseApi.get<{ patients: { id: string }[] }>('/patients')).body.patients.map((listed) => listed.id)).toEqual([created.id]);
    expect((await stranger.get(`/patients/${created.id}`)).status).toBe(404);
  });

  it('publishes an OpenAPI document at /docs/openapi.json with every route and the zod schemas of its bodies', async () => {
    const response = await fetch(`${platform.httpUrl}/docs/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, Record<string, OpenApiOperation>> };
    expect(document.openapi).toBe('3.1.0');
    for (const route of apiRoutes()) {
      expect({ route, documented: Boolean(document.paths[route.path.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()]) }).toEqual({
        route,
        documented: true,
      });
    }
    const login = document.paths['/auth/login'].post;
    expect(login.security).toEqual([]);
    expect(login.requestBody).toEqual(
      expect.objectContaining({ content: { 'application/json': { schema: expect.objectContaining({ required: ['email', 'password'] }) } } }),
    );
    expect(document.paths['/patients/{patientId}'].get.security).toBeUndefined();
  });

  it('documents the body of every route’s success status, so a new route without a response contract fails here', async () => {
    const document = (await (await fetch(`${platform.httpUrl}/docs/openapi.json`)).json()) as { paths: Record<string, Record<string, OpenApiOperation>> };
    const undocumented = apiRoutes().filter((route) => {
      const responses = document.paths[route.path.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()]?.responses ?? {};
      const success = responses[String(route.successStatus)];
      if (!success) return true;
      if (route.successStatus === 204) return false;
      return !Object.values(success.content ?? {}).some((media) => media.schema?.type);
    });
    expect(undocumented).toEqual([]);
    const alert = document.paths['/patients/{patientId}/alerts/{alertId}/acknowledge'].post.responses['200'].content!['application/json'].schema!;
    expect(alert.properties).toEqual(expect.objectContaining({ openedAt: expect.objectContaining({ type: 'string', format: 'date-time' }) }));
    expect(document.paths['/auth/login'].post.responses.default.content!['application/json'].schema!.properties).toEqual(
      expect.objectContaining({ statusCode: expect.anything(), error: expect.anything(), message: expect.anything() }),
    );
  });
});
