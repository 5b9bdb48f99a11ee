import { signPatientPageLink } from '@rpm/security';
import { startApiInProcess } from '../../../../test/support/api-in-process';
import { createTestDatabase } from '../../../../test/support/test-services';

const SECRET = 's'.repeat(32);

/**
 * /p/sign-in is the form every patient without a working link opens: its path segment is no link token, so it
 * must not share one "token" budget (30 a minute) among all patients, which one caller could spend for everyone.
 * A real link token keeps its budget.
 */
describe('the /p/* per-token limit and the sign-in form', () => {
  let api: Awaited<ReturnType<typeof startApiInProcess>>;

  const load = (path: string, from: string) => api.app.inject({ method: 'GET', url: path, remoteAddress: from });

  beforeAll(async () => {
    api = await startApiInProcess(await createTestDatabase(), { PATIENT_LINK_SECRET: SECRET });
  });

  afterAll(() => api?.close());

  it('serves the sign-in form to 40 patients at different addresses in one minute', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 40; i++) statuses.push((await load('/p/sign-in', `10.1.0.${i}`)).statusCode);
    expect(statuses.filter((status) => status === 429)).toEqual([]);
  });

  it('still limits one link token to 30 requests a minute, whatever the addresses', async () => {
    const token = signPatientPageLink(SECRET, { patientId: '00000000-0000-4000-8000-0000000000aa', expiresAt: Math.floor(Date.now() / 1000) + 3600 });
    const statuses: number[] = [];
    for (let i = 1; i <= 31; i++) statuses.push((await load(`/p/${token}`, `10.2.0.${i}`)).statusCode);
    expect(statuses.slice(0, 30).filter((status) => status === 429)).toEqual([]);
    expect(statuses[30]).toBe(429);
  });
});
