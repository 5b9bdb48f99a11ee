import { ApiClient } from '../../../../test/support/api-client';
import { startApiInProcess } from '../../../../test/support/api-in-process';
import { createClinic } from '../../../../test/support/fixtures';
import { createTestDatabase } from '../../../../test/support/test-services';

/** A patient types the code from the discharge sheet into their app: the way it is typed does not matter. */
describe('POST /pairing/claim with the code as a patient types it', () => {
  let api: Awaited<ReturnType<typeof startApiInProcess>>;
  let issue: () => Promise<string>;

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    api = await startApiInProcess(databaseUrl);
    const clinic = await createClinic(databaseUrl, 'typed');
    const doctor = await ApiClient.login(api.httpUrl, clinic.doctor.email, clinic.doctor.password);
    issue = async () => (await doctor.post<{ code: string }>(`/patients/${clinic.patientId}/pairing-codes`, { kind: 'hub' })).body.code;
  });

  afterAll(() => api?.close());

  it.each([
    ['as printed', (code: string) => code],
    ['in lower case', (code: string) => code.toLowerCase()],
    ['without the dash', (code: string) => code.replace('-', '')],
    ['with a space for the dash', (code: string) => code.replace('-', ' ')],
  ])('claims a code typed %s', async (_how, typed) => {
    const code = await issue();
    const response = await ApiClient.anonymous(api.httpUrl).post('/pairing/claim', { code: typed(code) });
    expect(response.status).toBe(201);
  });
});
