import { request } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AppProcess } from '../support/app-process';
import { startApi } from '../support/api-under-test';
import { createClinic } from '../support/fixtures';
import { createTestDatabase } from '../support/test-services';

interface Answer {
  status: number;
  body: { message?: unknown };
}

const ACCOUNT_LIMIT = 3;
const ADDRESS_LIMIT = 12;

describe('login limits: per account, and per address at a much higher bound', () => {
  let databaseUrl: string;
  let api: AppProcess;
  let port: number;
  const env = { LOGIN_ACCOUNT_MAX_FAILURES: String(ACCOUNT_LIMIT), LOGIN_ADDRESS_MAX_FAILURES: String(ADDRESS_LIMIT) };

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    ({ api, port } = await startApi(databaseUrl, env));
  });
  afterAll(() => api?.stop());

  /** POST /auth/login from a chosen loopback address (the whole of 127.0.0.0/8 reaches the API on 127.0.0.1). */
  const login = (email: string, password: string, from: string, headers: Record<string, string> = {}): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({ email, password });
      const outgoing = request(
        { host: '127.0.0.1', port, path: '/auth/login', method: 'POST', localAddress: from, headers: { 'content-type': 'application/json', ...headers } },
        (response) => {
          let text = '';
          response.on('data', (chunk) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  const account = async (label: string) => (await createClinic(databaseUrl, label)).doctor;
  const statuses = async (attempts: (() => Promise<Answer>)[]) => {
    const seen: number[] = [];
    for (const attempt of attempts) seen.push((await attempt()).status);
    return seen;
  };

  it('locks an account after repeated wrong passwords, while a colleague at the same address still signs in', async () => {
    const [a, b] = [await account('nat-a'), await account('nat-b')];
    const wrong = Array.from({ length: ACCOUNT_LIMIT }, () => () => login(a.email, 'wrong-password', '127.0.0.2'));
    expect(await statuses(wrong)).toEqual(Array(ACCOUNT_LIMIT).fill(401));
    const locked = await login(a.email, a.password, '127.0.0.2');
    expect(locked.status).toBe(429);
    expect(locked.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: expect.stringContaining('for this account') });
    expect((await login(b.email, b.password, '127.0.0.2')).status).toBe(200);
  });

  it('answers an unknown e-mail exactly as a wrong password, lockout included', async () => {
    const known = await account('known');
    const unknown = `nobody.${randomUUID().slice(0, 8)}@example.org`;
    const knownAnswers: Answer[] = [];
    const unknownAnswers: Answer[] = [];
    for (let attempt = 0; attempt <= ACCOUNT_LIMIT; attempt++) {
      knownAnswers.push(await login(known.email, 'wrong-password', '127.0.0.3'));
      unknownAnswers.push(await login(unknown, 'wrong-password', '127.0.0.3'));
    }
    expect(unknownAnswers).toEqual(knownAnswers);
    expect(knownAnswers.map((answer) => answer.status)).toEqual([...Array(ACCOUNT_LIMIT).fill(401), 429]);
  });

  it('stops guesses at one account spread over many addresses', async () => {
    const target = await account('spread');
    for (let n = 0; n < ACCOUNT_LIMIT; n++) expect((await login(target.email, `guess-${n}`, `127.0.1.${n + 1}`)).status).toBe(401);
    expect((await login(target.email, target.password, '127.0.1.200')).status).toBe(429);
  });

  it('a successful sign-in clears the account’s failures', async () => {
    const forgetful = await account('forgetful');
    for (let round = 0; round < 3; round++) {
      for (let n = 0; n < ACCOUNT_LIMIT - 1; n++) expect((await login(forgetful.email, 'typo', '127.0.2.1')).status).toBe(401);
      expect((await login(forgetful.email, forgetful.password, '127.0.2.1')).status).toBe(200);
    }
  });

  it('limits one address at its higher bound, whoever it guesses at, and ignores a forged X-Forwarded-For', async () => {
    const colleague = await account('behind-nat');
    for (let n = 0; n < ADDRESS_LIMIT; n++) {
      expect((await login(`sprayed.${n}.${randomUUID().slice(0, 6)}@example.org`, 'Winter2026!', '127.0.3.1')).status).toBe(401);
    }
    const refused = await login(colleague.email, colleague.password, '127.0.3.1');
    expect(refused.status).toBe(429);
    expect(refused.body.message).toEqual(expect.stringContaining('from this address'));
    expect((await login(colleague.email, colleague.password, '127.0.3.1', { 'x-forwarded-for': '10.9.8.7' })).status).toBe(429);
    expect((await login(colleague.email, colleague.password, '127.0.3.2')).status).toBe(200);
  });

  it('keeps a lockout across an API restart (the counts live in PostgreSQL)', async () => {
    const target = await account('restart');
    for (let n = 0; n < ACCOUNT_LIMIT; n++) await login(target.email, 'wrong-password', '127.0.4.1');
    await api.stop();
    ({ api, port } = await startApi(databaseUrl, env));
    expect((await login(target.email, target.password, '127.0.4.2')).status).toBe(429);
  });

  it('lets a burst of parallel guesses past the limit no further than the limit', async () => {
    const target = await account('burst');
    const burst = await Promise.all(Array.from({ length: 12 }, (_, n) => login(target.email, `burst-${n}`, `127.0.5.${n + 1}`)));
    expect(burst.filter((answer) => answer.status === 401).length).toBeLessThanOrEqual(ACCOUNT_LIMIT);
    expect(burst.filter((answer) => answer.status === 429).length).toBeGreaterThanOrEqual(12 - ACCOUNT_LIMIT);
  });
});
