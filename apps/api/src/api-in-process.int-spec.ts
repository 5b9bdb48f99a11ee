import { createClinic, type ClinicFixture } from '../../../test/support/fixtures';
import { ApiClient } from '../../../test/support/api-client';
import { startApiInProcess } from '../../../test/support/api-in-process';
import { createTestDatabase } from '../../../test/support/test-services';

/**
 * The in-process tier: the API application on a real PostgreSQL in the test's own process. What a doctor
 * relies on across controllers, repositories and contracts, without the cost of spawning the platform.
 */
describe('the API in process on a real PostgreSQL', () => {
  let api: Awaited<ReturnType<typeof startApiInProcess>>;
  let own: ClinicFixture;
  let other: ClinicFixture;
  let doctor: ApiClient;

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    [own, other] = await Promise.all([createClinic(databaseUrl, 'own'), createClinic(databaseUrl, 'other')]);
    api = await startApiInProcess(databaseUrl);
    doctor = await ApiClient.login(api.httpUrl, own.doctor.email, own.doctor.password);
  });

  afterAll(async () => {
    await api?.close();
  });

  it("answers another care team's patient with 404, as if it did not exist", async () => {
    expect((await doctor.get(`/patients/${other.patientId}`)).status).toBe(404);
    expect((await doctor.get(`/patients/${other.patientId}/reports/agp`)).status).toBe(404);
    expect((await doctor.get(`/patients/${own.patientId}`)).status).toBe(200);
  });

  it('refuses without a session', async () => {
    expect((await ApiClient.anonymous(api.httpUrl).get(`/patients/${own.patientId}`)).status).toBe(401);
  });

  it('says an AGP without readings has not enough data rather than drawing one', async () => {
    const report = await doctor.get<{ metrics: unknown; sufficiency: { sufficient: boolean; message: string }; binsWithData: number }>(
      `/patients/${own.patientId}/reports/agp`,
    );
    expect(report.status).toBe(200);
    expect(report.body).toEqual(
      expect.objectContaining({
        metrics: null,
        binsWithData: 0,
        sufficiency: expect.objectContaining({ sufficient: false, message: 'No CGM readings in this period.' }),
      }),
    );
  });

  it('refuses a rule override outside physiological limits, naming the field', async () => {
    const refused = await doctor.put<{ message: unknown }>(`/patients/${own.patientId}/rules/glucose.level2_hypo`, {
      params: { threshold: { 'mg/dL': -5 } },
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('threshold');
  });
});
