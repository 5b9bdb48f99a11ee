import { request } from 'node:http';
import { Client } from 'pg';
import { ApiClient } from '../support/api-client';
import { apiRoutes, type ApiRoute } from '../support/api-routes';
import type { AppProcess } from '../support/app-process';
import { startApi } from '../support/api-under-test';
import { createAdmin, createClinic, type ClinicFixture } from '../support/fixtures';
import { createTestDatabase } from '../support/test-services';

interface Answer {
  status: number;
  body: unknown;
  requestId: string | null;
}

/** The one error shape of the API: exactly these three fields. */
function expectTheErrorShape(answer: Answer): void {
  expect(answer.body).toEqual({
    statusCode: answer.status,
    error: expect.any(String),
    message: expect.anything(),
  });
  const { message } = answer.body as { message: unknown };
  expect(typeof message === 'string' || (Array.isArray(message) && message.every((line) => typeof line === 'string'))).toBe(true);
}

const NUL = 'a\u0000b';
const YEAR_ZERO = '0000-01-01T00:00:00Z';

/** Every field name a body of the API takes, each with a value no database can store. */
const POISONED_BODY = {
  text: NUL,
  note: NUL,
  notes: NUL,
  outcome: NUL,
  name: NUL,
  displayName: NUL,
  occurredAt: YEAR_ZERO,
  type: 'clinic',
  params: { title: NUL },
};

const HOSTILE_PARAMS = ['not-a-uuid', '%00', 'x'.repeat(300), "1'%3B%20DROP%20TABLE%20users%3B--", '..%2F..%2Fetc', '-1', '99999999999999999999'];
const HOSTILE_QUERIES = [
  'limit=abc&offset=-1',
  'limit=1e999&offset=NaN',
  'limit=1&limit=2&offset[]=3',
  'from=garbage&to=2026-13-45T99:00:00Z',
  `from=${YEAR_ZERO}&to=9999-12-31T23:59:59Z`,
  'from=2030-01-01T00:00:00Z&to=2020-01-01T00:00:00Z',
  'bucketMinutes=0&metric=glucose',
  'bucketMinutes=-5&metric=%00',
  'bucketMinutes=1e999&metric=glucose',
  'status=%00&severity=nope',
];
const HOSTILE_BODIES: { contentType?: string; body: string }[] = [
  { contentType: 'application/json', body: '{bad json' },
  { contentType: 'application/json', body: '' },
  { contentType: 'application/json', body: 'null' },
  { contentType: 'application/json', body: '[]' },
  { contentType: 'application/json', body: '"a string"' },
  { contentType: 'application/json', body: '{"__proto__":{"admin":true},"constructor":{"prototype":{}}}' },
  { contentType: 'application/json', body: JSON.stringify(POISONED_BODY) },
  { contentType: 'application/json', body: JSON.stringify({ ...POISONED_BODY, occurredAt: '2026-01-01T00:00:00Z' }) },
  { contentType: 'application/json', body: JSON.stringify({ minutes: 1e308, intervalDays: -1, pathway: NUL, disabled: 'yes' }) },
  { contentType: 'text/plain', body: 'hello' },
  { contentType: 'application/xml', body: '<a/>' },
  { contentType: 'application/x-www-form-urlencoded', body: 'a=1&b=%00' },
  { body: 'no content type' },
];

describe('hostile input: every route answers a 4xx with the one error shape, never a 5xx', () => {
  let api: AppProcess;
  let httpUrl: string;
  let databaseUrl: string;
  let clinic: ClinicFixture;
  let doctor: ApiClient;
  let admin: ApiClient;
  let alertId: string;
  let visitId: string;
  const routes = apiRoutes().filter((route) => route.path !== '/alerts/stream');

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    ({ api, httpUrl } = await startApi(databaseUrl));
    clinic = await createClinic(databaseUrl, 'hostile');
    doctor = await ApiClient.login(httpUrl, clinic.doctor.email, clinic.doctor.password);
    const adminAccount = await createAdmin(databaseUrl);
    admin = await ApiClient.login(httpUrl, adminAccount.email, adminAccount.password);
    alertId = await openAlert();
    visitId = (await doctor.post<{ id: string }>(`/patients/${clinic.patientId}/visits`, { occurredAt: '2026-01-01T10:00:00Z', type: 'clinic' })).body.id;
  });
  afterAll(() => api?.stop());

  async function openAlert(): Promise<string> {
    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    try {
      const alert = await sql.query(
        `INSERT INTO alerts (patient_id, rule_id, rule_version, severity, status, title, reason, readings, opened_at, last_reading_at, rule)
         VALUES ($1, $2, 1, 'urgent', 'open', 'Low glucose', 'x', '[]', now(), now(), '{}') RETURNING id`,
        [clinic.patientId, `glucose.level2_hypo.${Date.now()}`],
      );
      return alert.rows[0].id;
    } finally {
      await sql.end();
    }
  }

  /** The route with the fixture's real ids, so a hostile body reaches the handler rather than a 404. */
  const realPath = (route: ApiRoute) =>
    route.path
      .replace(':patientId', clinic.patientId)
      .replace(':alertId', alertId)
      .replace(':visitId', visitId)
      .replace(':deviceId', clinic.device.deviceId)
      .replace(':ruleId', 'glucose.level2_hypo')
      .replace(':instrument', 'phq9')
      .replace(':careTeamId', clinic.careTeamId)
      .replace(':changeId', '1');
  const callerOf = (route: ApiRoute) => (route.path.startsWith('/admin') ? admin : doctor);

  async function send(route: ApiRoute, path: string, init: { contentType?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
    // Logging out ends the caller's session: each logout gets a session of its own.
    const caller = route.path === '/auth/logout' ? await ApiClient.login(httpUrl, clinic.doctor.email, clinic.doctor.password) : callerOf(route);
    const headers: Record<string, string> = { authorization: caller.authorization, ...init.headers };
    if (init.contentType) headers['content-type'] = init.contentType;
    const response = await fetch(`${httpUrl}${path}`, { method: route.method, headers, body: route.method === 'GET' ? undefined : init.body });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: the shape check below reports it
    }
    return { status: response.status, body, requestId: response.headers.get('x-request-id') };
  }

  function expectRefusedCleanly(answer: Answer, what: string): void {
    expect({ what, status: answer.status }).toEqual({ what, status: expect.any(Number) });
    expect({ what, serverError: answer.status >= 500 }).toEqual({ what, serverError: false });
    if (answer.status >= 400) expectTheErrorShape(answer);
  }

  it('reads the route table', () => {
    expect(routes.length).toBeGreaterThanOrEqual(30);
  });

  it.each(routes.filter((route) => route.path.includes(':')).map((route) => [route.method, route.path, route] as const))(
    '%s %s: hostile path parameters',
    async (_method, _path, route) => {
      for (const hostile of HOSTILE_PARAMS) {
        for (const name of route.path.match(/:\w+/g) ?? []) {
          const path = realPath({ ...route, path: route.path.replace(name, hostile) });
          expectRefusedCleanly(await send(route, path, { contentType: 'application/json', body: '{}' }), `${path}`);
        }
      }
    },
  );

  it.each(routes.map((route) => [route.method, route.path, route] as const))('%s %s: hostile query strings', async (_method, _path, route) => {
    for (const query of HOSTILE_QUERIES) {
      const path = `${realPath(route)}?${query}`;
      expectRefusedCleanly(await send(route, path, { contentType: 'application/json', body: '{}' }), path);
    }
  });

  it.each(routes.filter((route) => route.method !== 'GET').map((route) => [route.method, route.path, route] as const))(
    '%s %s: hostile bodies',
    async (_method, _path, route) => {
      for (const { contentType, body } of HOSTILE_BODIES) {
        expectRefusedCleanly(await send(route, realPath(route), { contentType, body }), `${contentType} ${body.slice(0, 80)}`);
      }
    },
  );

  it('refuses the NUL character in a comment, a resolve note, visit notes and a rule override with a 400 saying so', async () => {
    const patient = `/patients/${clinic.patientId}`;
    alertId = await openAlert(); // the route-table cases may have resolved the first one
    for (const [method, path, body] of [
      ['POST', `${patient}/alerts/${alertId}/comments`, { text: NUL }],
      ['POST', `${patient}/alerts/${alertId}/resolve`, { note: NUL }],
      ['POST', `${patient}/visits`, { occurredAt: '2026-01-02T10:00:00Z', type: 'clinic', notes: NUL }],
      ['PATCH', `${patient}/visits/${visitId}`, { outcome: NUL }],
      ['PUT', `${patient}/rules/glucose.level2_hypo`, { params: { title: NUL } }],
    ] as const) {
      const answer = await send({ method, path }, path, { contentType: 'application/json', body: JSON.stringify(body) });
      expect({ path, status: answer.status }).toEqual({ path, status: 400 });
      expectTheErrorShape(answer);
      expect(JSON.stringify(answer.body)).toContain('NUL character');
    }
    // The alert was not resolved by the refused request.
    expect((await doctor.get<{ alerts: { id: string; status: string }[] }>(`${patient}/alerts`)).body.alerts).toContainEqual(
      expect.objectContaining({ id: alertId, status: 'open' }),
    );
  });

  it('refuses a visit dated year 0 (or any date outside 1900-2200) with a 400', async () => {
    const visits = `/patients/${clinic.patientId}/visits`;
    for (const occurredAt of [YEAR_ZERO, '0001-01-01T00:00:00+14:00', '1899-12-31T23:59:59Z', '2200-01-01T00:00:00Z', '275760-09-13T00:00:00Z']) {
      const created = await send({ method: 'POST', path: visits }, visits, {
        contentType: 'application/json',
        body: JSON.stringify({ occurredAt, type: 'clinic' }),
      });
      expect({ occurredAt, status: created.status }).toEqual({ occurredAt, status: 400 });
      expectTheErrorShape(created);
      const edited = await send({ method: 'PATCH', path: visits }, `${visits}/${visitId}`, {
        contentType: 'application/json',
        body: JSON.stringify({ occurredAt }),
      });
      expect({ occurredAt, status: edited.status }).toEqual({ occurredAt, status: 400 });
    }
  });

  it('answers a body over the size limit with 413 in the one shape', async () => {
    // Raw HTTP, headers first: the API judges the declared length and answers at once, before any of the body is
    // sent. Writing the body straight away raced the answer: the API closes the connection, and a client still
    // writing may see the reset before the answer.
    const answer = await new Promise<Answer>((resolve, reject) => {
      let answered = false;
      const outgoing = request(`${httpUrl}/patients/${clinic.patientId}/visits`, {
        method: 'POST',
        headers: { authorization: doctor.authorization, 'content-type': 'application/json', 'content-length': String(3 * 1024 * 1024) },
      });
      outgoing.on('response', (response) => {
        answered = true;
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => {
          outgoing.destroy();
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(text), requestId: null });
        });
      });
      outgoing.on('error', (error) => {
        const code = (error as NodeJS.ErrnoException).code;
        if (!answered && code !== 'EPIPE' && code !== 'ECONNRESET') reject(error);
      });
      outgoing.flushHeaders();
      // Only if the API waited for the body after all: send it.
      setTimeout(() => answered || outgoing.end(Buffer.alloc(3 * 1024 * 1024, 'x')), 5_000).unref();
    });
    expect(answer.status).toBe(413);
    expectTheErrorShape(answer);
  });

  it('replaces an over-long or unsafe x-request-id with a generated one, and keeps a plain one', async () => {
    const route = { method: 'GET', path: '/auth/me' };
    const long = await send(route, '/auth/me', { headers: { 'x-request-id': 'a'.repeat(8000) } });
    expect(long.status).toBe(200);
    expect(long.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const unsafe = await send(route, '/auth/me', { headers: { 'x-request-id': '<script>alert(1)</script>' } });
    expect(unsafe.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const plain = await send(route, '/auth/me', { headers: { 'x-request-id': 'proxy-7f3a.42' } });
    expect(plain.requestId).toBe('proxy-7f3a.42');

    // And what reaches the audit log is the generated id, not the 8,000 characters.
    const patient = `/patients/${clinic.patientId}`;
    await send({ method: 'GET', path: patient }, patient, { headers: { 'x-request-id': 'b'.repeat(8000) } });
    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    const { rows } = await sql.query<{ longest: number }>('SELECT max(length(request_id)) AS longest FROM audit_log');
    await sql.end();
    expect(rows[0].longest).toBeLessThanOrEqual(64);
  });
});
