import { Client } from 'pg';
import { ApiClient } from '../../../../test/support/api-client';
import { startApiInProcess } from '../../../../test/support/api-in-process';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { createTestDatabase } from '../../../../test/support/test-services';

/**
 * The discharge QR code names the address the clinician reached the API at. A request whose Host header is no
 * URL host at all is bad input: 400, and no pairing code is left behind for a QR code that was never drawn.
 */
describe('POST /patients/:id/pairing-codes with a Host header that is no address', () => {
  let databaseUrl: string;
  let api: Awaited<ReturnType<typeof startApiInProcess>>;
  let clinic: ClinicFixture;
  let authorization: string;

  const codesIssued = async () => {
    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    const { rows } = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM pairing_codes WHERE patient_id = $1', [clinic.patientId]);
    await sql.end();
    return rows[0].n;
  };

  const issue = (host: string) =>
    api.app.inject({
      method: 'POST',
      url: `/patients/${clinic.patientId}/pairing-codes`,
      headers: { host, authorization, 'content-type': 'application/json' },
      payload: JSON.stringify({ kind: 'hub' }),
    });

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    api = await startApiInProcess(databaseUrl);
    clinic = await createClinic(databaseUrl, 'qrhost');
    authorization = (await ApiClient.login(api.httpUrl, clinic.doctor.email, clinic.doctor.password)).authorization;
  });

  afterAll(() => api?.close());

  it.each(['exa mple', '[::1', 'clinic.example:99999'])('answers 400 to Host %p and issues no code', async (host) => {
    const before = await codesIssued();
    const response = await issue(host);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ statusCode: 400, message: expect.stringContaining('Host') });
    expect(await codesIssued()).toBe(before);
  });

  it('still issues the code and its QR code for an ordinary host', async () => {
    const response = await issue('clinic.example:8443');
    expect(response.statusCode).toBe(201);
    expect(response.json().qr.payload).toContain(`api=${encodeURIComponent('http://clinic.example:8443')}`);
  });
});
