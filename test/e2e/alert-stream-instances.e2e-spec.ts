import { Client } from 'pg';
import { ApiClient } from '../support/api-client';
import type { AppProcess } from '../support/app-process';
import { startApi } from '../support/api-under-test';
import { createClinic, type ClinicFixture } from '../support/fixtures';
import { createTestDatabase } from '../support/test-services';
import { listenersOf } from '../support/pg-listeners';
import { openEventStream } from '../support/server-sent-events';
import { waitFor } from '../support/wait-for';

/** GET /alerts/stream read as the web page reads it: alert ids and the last event id seen. */
class Stream {
  readonly alertIds: string[] = [];
  lastEventId?: string;
  private readonly abort = new AbortController();

  static async open(httpUrl: string, authorization: string, lastEventId?: string): Promise<Stream> {
    const stream = new Stream();
    await openEventStream(
      `${httpUrl}/alerts/stream`,
      { authorization },
      stream.abort.signal,
      ({ id, data }) => {
        if (id) stream.lastEventId = id;
        const alertId = data && /"alertId":"([0-9a-f-]{36})"/.exec(data)?.[1];
        if (alertId && !stream.alertIds.includes(alertId)) stream.alertIds.push(alertId);
      },
      lastEventId,
    );
    return stream;
  }

  close(): void {
    this.abort.abort();
  }
}

/**
 * Several API instances behind one address: each LISTENs on alert_changed, so every instance delivers every
 * alert to its own SSE clients; a client that reconnects, to either instance, gets what it missed.
 */
describe('the alert stream across two API instances', () => {
  let first: { api: AppProcess; httpUrl: string };
  let second: { api: AppProcess; httpUrl: string };
  let clinic: ClinicFixture;
  let sql: Client;
  let doctor: ApiClient;
  const streams: Stream[] = [];

  const open = async (httpUrl: string, lastEventId?: string) => {
    const stream = await Stream.open(httpUrl, doctor.authorization, lastEventId);
    streams.push(stream);
    return stream;
  };
  const raiseAlert = async (ruleId: string): Promise<string> =>
    (
      await sql.query(
        `INSERT INTO alerts (patient_id, rule_id, rule_version, severity, status, title, reason, readings, opened_at, last_reading_at, rule)
         VALUES ($1, $2, 1, 'urgent', 'open', 'Low glucose', 'x', '[]', now(), now(), '{}') RETURNING id`,
        [clinic.patientId, ruleId],
      )
    ).rows[0].id;
  const receives = (stream: Stream, alertId: string) =>
    waitFor(`alert ${alertId} on the stream`, async () => (stream.alertIds.includes(alertId) ? true : undefined), 15_000);

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    clinic = await createClinic(databaseUrl, 'instances');
    [first, second] = await Promise.all([startApi(databaseUrl), startApi(databaseUrl)]);
    // One login: sessions live in PostgreSQL, so the token works on both instances.
    doctor = await ApiClient.login(first.httpUrl, clinic.doctor.email, clinic.doctor.password);
    sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await sql?.end();
    await Promise.all([first?.api.stop(), second?.api.stop()]);
  });

  it('delivers one alert to the streams of both instances', async () => {
    const [onFirst, onSecond] = [await open(first.httpUrl), await open(second.httpUrl)];
    // Both instances' LISTEN connections up first: a change committed before an instance listens reaches its
    // streams only through a reconnect's replay (a gap the closing note of issue 15 names).
    await waitFor('both instances to LISTEN on alert_changed', async () => ((await listenersOf(sql, 'alert_changed')).length >= 2 ? true : undefined), 15_000);
    const alertId = await raiseAlert('glucose.level2_hypo');
    await Promise.all([receives(onFirst, alertId), receives(onSecond, alertId)]);
    expect(onFirst.lastEventId).toMatch(/^\d+$/);
  });

  it('replays to a stream reconnecting to the other instance what was raised while it was away', async () => {
    const before = await open(first.httpUrl);
    const seen = await raiseAlert('glucose.level1_hypo');
    await receives(before, seen);
    before.close();

    const missed = await raiseAlert('bp.crisis');
    const without = await open(second.httpUrl);
    const reconnected = await open(second.httpUrl, before.lastEventId);
    await receives(reconnected, missed);
    // Without Last-Event-ID a stream starts live: nothing from before it opened.
    const live = await raiseAlert('glucose.level2_hypo_again');
    await Promise.all([receives(without, live), receives(reconnected, live)]);
    expect(without.alertIds).not.toContain(missed);
  });
});
