import { Client } from 'pg';
import { testServices } from './test-services';
import { waitFor } from './wait-for';

async function withClient<T>(databaseUrl: string, work: (sql: Client) => Promise<T>): Promise<T> {
  const sql = new Client({ connectionString: databaseUrl });
  await sql.connect();
  try {
    return await work(sql);
  } finally {
    await sql.end();
  }
}

export const listenersOf = (sql: Client, channel: string): Promise<number[]> =>
  sql
    .query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE $1`, [`LISTEN %${channel}%`])
    .then((result) => result.rows.map((row) => row.pid));

/**
 * What a PostgreSQL restart does to a LISTEN connection, confined to one test database (other test
 * files share the server, so it is never restarted).
 */
export async function terminateListeners(databaseUrl: string | Client, channel: string): Promise<number[]> {
  const terminate = async (sql: Client) => {
    const pids = await listenersOf(sql, channel);
    if (pids.length === 0) throw new Error(`nobody listens on ${channel}`);
    await sql.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
    return pids;
  };
  return typeof databaseUrl === 'string' ? withClient(databaseUrl, terminate) : terminate(databaseUrl);
}

/** Waits until a connection other than `gone` listens on the channel again. */
export async function listenerBack(databaseUrl: string, channel: string, gone: number[], timeoutMs = 30_000): Promise<void> {
  await waitFor(
    `a new LISTEN ${channel}`,
    () => withClient(databaseUrl, async (sql) => ((await listenersOf(sql, channel)).some((pid) => !gone.includes(pid)) ? true : undefined)),
    timeoutMs,
    200,
  );
}

/**
 * Refuses new connections to the test database while `during` runs (a database outage that the
 * connection handed to `during`, opened before, outlives).
 */
export async function withConnectionsRefused(databaseUrl: string, during: (sql: Client) => Promise<void>): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  await withClient(databaseUrl, (sql) =>
    withClient(testServices().postgresAdminUrl, async (admin) => {
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
      try {
        await during(sql);
      } finally {
        await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
      }
    }),
  );
}
