import { Client } from 'pg';
import { ApiClient } from '../support/api-client';
import type { AppProcess } from '../support/app-process';
import { startApi } from '../support/api-under-test';
import { createAdmin, createClinic, type ClinicFixture } from '../support/fixtures';
import { listenerBack, terminateListeners, withConnectionsRefused } from '../support/pg-listeners';
import { createTestDatabase } from '../support/test-services';
import { openEventStream } from '../support/server-sent-events';
import { waitFor } from '../support/wait-for';

/** An open GET /alerts/stream as the web page reads it: the alert ids received, and whether it has ended. */
class OpenStream {
  readonly alertIds: string[] = [];
  ended = false;
  private readonly abort = new AbortController();

  static async open(httpUrl: string, authorization: string): Promise<OpenStream> {
    const stream = new OpenStream();
    const { ended } = await openEventStream(`${httpUrl}/alerts/stream`, { authorization }, stream.abort.signal, ({ data }) => {
      const alertId = data && /"alertId":"([0-9a-f-]{36})"/.exec(data)?.[1];
      if (alertId && !stream.alertIds.includes(alertId)) stream.alertIds.push(alertId);
    });
    void ended.then(() => (stream.ended = true));
    return stream;
  }

  close(): void {
    this.abort.abort();
  }
}

describe('the live alert stream ends with its session and survives a database restart', () => {
  let databaseUrl: string;
  let api: AppProcess;
  let httpUrl: string;
  let clinic: ClinicFixture;
  let sql: Client;
  const streams: OpenStream[] = [];

  const openStream = async (client: ApiClient) => {
    const stream = await OpenStream.open(httpUrl, client.authorization);
    streams.push(stream);
    return stream;
  };
  const openAlert = async (ruleId: string, via: Client = sql): Promise<string> =>
    (
      await via.query(
        `INSERT INTO alerts (patient_id, rule_id, rule_version, severity, status, title, reason, readings, opened_at, last_reading_at, rule)
         VALUES ($1, $2, 1, 'urgent', 'open', 'Low glucose', 'x', '[]', now(), now(), '{}') RETURNING id`,
        [clinic.patientId, ruleId],
      )
    ).rows[0].id;
  const receives = (stream: OpenStream, alertId: string) =>
    waitFor(`alert ${alertId} on the stream`, async () => (stream.alertIds.includes(alertId) ? true : undefined), 30_000);
  const ends = (stream: OpenStream) => waitFor('the stream to end', async () => (stream.ended ? true : undefined), 20_000);

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    ({ api, httpUrl } = await startApi(databaseUrl));
    clinic = await createClinic(databaseUrl, 'stream');
    sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await sql?.end();
    await api?.stop();
  });

  it('logout closes the open stream within seconds', async () => {
    const doctor = await ApiClient.login(httpUrl, clinic.doctor.email, clinic.doctor.password);
    const stream = await openStream(doctor);
    await receives(stream, await openAlert('stream.before_logout'));
    const loggedOut = await fetch(`${httpUrl}/auth/logout`, { method: 'POST', headers: { authorization: doctor.authorization } });
    expect(loggedOut.status).toBe(204);
    await ends(stream);
  });

  it('an expired session closes the open stream within seconds', async () => {
    const doctor = await ApiClient.login(httpUrl, clinic.doctor.email, clinic.doctor.password);
    const stream = await openStream(doctor);
    await sql.query(`UPDATE sessions SET expires_at = now() WHERE expires_at > now()`);
    await ends(stream);
  });

  it('a removed account closes its open stream within seconds, and only its own', async () => {
    const colleague = await createClinic(databaseUrl, 'leaver');
    const [leaver, stayer] = [
      await ApiClient.login(httpUrl, colleague.doctor.email, colleague.doctor.password),
      await ApiClient.login(httpUrl, clinic.doctor.email, clinic.doctor.password),
    ];
    const [leaving, staying] = [await openStream(leaver), await openStream(stayer)];
    // What disabling an account does to its sessions.
    await sql.query(`DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE email = $1)`, [colleague.doctor.email]);
    await ends(leaving);
    await receives(staying, await openAlert('stream.after_leaver'));
    expect(staying.ended).toBe(false);
  });

  it('an administrator disabling an account closes its open stream within seconds and refuses it, until enabled again', async () => {
    const colleague = await createClinic(databaseUrl, 'disabled');
    const admin = await createAdmin(databaseUrl).then(({ email, password }) => ApiClient.login(httpUrl, email, password));
    const [disabled, stayer] = [
      await ApiClient.login(httpUrl, colleague.doctor.email, colleague.doctor.password),
      await ApiClient.login(httpUrl, clinic.doctor.email, clinic.doctor.password),
    ];
    const [closing, staying] = [await openStream(disabled), await openStream(stayer)];
    const userId = (await disabled.get<{ id: string }>('/auth/me')).body.id;

    expect((await admin.post(`/admin/users/${userId}/disable`)).status).toBe(200);
    await ends(closing);
    expect((await disabled.get('/auth/me')).status).toBe(401);
    await expect(ApiClient.login(httpUrl, colleague.doctor.email, colleague.doctor.password)).rejects.toThrow(/401/);
    await receives(staying, await openAlert('stream.after_disable'));
    expect(staying.ended).toBe(false);
    const audited = await sql.query(`SELECT action FROM audit_log WHERE subject = $1 ORDER BY seq`, [`user:${userId}`]);
    expect(audited.rows.map((row) => row.action)).toEqual(['admin.users.disable']);

    // An administrator cannot lock themselves out; a clinician cannot disable anyone.
    const adminId = (await admin.get<{ id: string }>('/auth/me')).body.id;
    expect((await admin.post(`/admin/users/${adminId}/disable`)).status).toBe(400);
    expect((await stayer.post(`/admin/users/${userId}/enable`)).status).toBe(403);

    expect((await admin.post(`/admin/users/${userId}/enable`)).status).toBe(200);
    await ApiClient.login(httpUrl, colleague.doctor.email, colleague.doctor.password);
  });

  it('after the LISTEN connection is killed (as by a PostgreSQL restart) it reconnects, and a new alert reaches the open stream', async () => {
    const doctor = await ApiClient.login(httpUrl, clinic.doctor.email, clinic.doctor.password);
    const stream = await openStream(doctor);
    const gone = await terminateListeners(databaseUrl, 'alert_changed');
    await listenerBack(databaseUrl, 'alert_changed', gone);
    await receives(stream, await openAlert('stream.after_restart'));
    expect(stream.ended).toBe(false);
  });

  it('an alert raised while the database refused connections reaches the stream once the LISTEN is back', async () => {
    const doctor = await ApiClient.login(httpUrl, clinic.doctor.email, clinic.doctor.password);
    const stream = await openStream(doctor);
    let missed = '';
    await withConnectionsRefused(databaseUrl, async (admin) => {
      const gone = await terminateListeners(admin, 'alert_changed');
      expect(gone.length).toBeGreaterThan(0);
      missed = await openAlert('stream.during_outage', admin);
      await new Promise((resolve) => setTimeout(resolve, 1500)); // a few refused reconnects
    });
    await receives(stream, missed);
  });
});
