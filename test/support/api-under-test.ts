import { AppProcess } from './app-process';
import { freePort } from './free-port';

/** The API app alone on a free port of 127.0.0.1, over the given database (readings in PostgreSQL). */
export async function startApi(
  databaseUrl: string,
  env: Record<string, string> = {},
  readyWithinMs?: number,
): Promise<{ api: AppProcess; httpUrl: string; port: number }> {
  const port = await freePort();
  const api = await AppProcess.start('api', { DATABASE_URL: databaseUrl, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port), ...env }, port, [], readyWithinMs);
  return { api, httpUrl: `http://127.0.0.1:${port}`, port };
}
