import { startApiInProcess } from '../../../../test/support/api-in-process';
import { createTestDatabase } from '../../../../test/support/test-services';

/**
 * A patient who types their local number (no country code) at /p/sign-in is told what to type instead, in
 * their language: the answer names the country code, not just the field's label back at them.
 */
describe('POST /p/sign-in with a number without its country code', () => {
  let api: Awaited<ReturnType<typeof startApiInProcess>>;

  const signIn = (address: unknown, language: string) =>
    fetch(`${api.httpUrl}/p/sign-in?language=${language}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ address }),
    });

  beforeAll(async () => {
    api = await startApiInProcess(await createTestDatabase(), { PATIENT_LINK_SECRET: 'x'.repeat(32) });
  });

  afterAll(() => api?.close());

  it.each([
    ['en', '0151 23456789', /country code \(such as \+44/],
    ['de', '0151 23456789', /Ländervorwahl ein \(etwa \+49/],
    ['fr', '06 12 34 56 78', /indicatif du pays \(par exemple \+33/],
  ])('answers 400 in %s saying the number needs its country code', async (language, address, expected) => {
    const response = await signIn(address, language);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(expected);
  });

  it('refuses an address with the NUL character as a validation problem (400), before it reaches the database', async () => {
    const response = await signIn('\u0000\u0000@example.org', 'en');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string[] }).message).toEqual([expect.stringContaining('NUL')]);
  });

  it('answers in the primary language of a tag (de-CH), and in English to a repeated language parameter', async () => {
    const swiss = await signIn('0151 23456789', 'de-CH');
    expect(((await swiss.json()) as { message: string }).message).toMatch(/Ländervorwahl/);
    expect((await signIn('+49 151 23456789', 'de&language=fr')).status).toBe(202);
  });

  it('still accepts the number with its country code (202)', async () => {
    expect((await signIn('+49 151 23456789', 'de')).status).toBe(202);
  });
});
