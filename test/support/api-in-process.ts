import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@rpm/config';
import { jsonLogger } from '@rpm/platform';
import { createApiApp } from '../../apps/api/src/api-app';
import { apiConfigSchema } from '../../apps/api/src/api.config';

/**
 * The test tier between unit specs and e2e (Immich's "medium" tests): the API application as it serves,
 * built in the test's own process on a real PostgreSQL and listening on a free port of 127.0.0.1, without
 * spawning a process or running the gateway and alerting. Faster than startApi, and a failure's stack is
 * the application's own.
 */
export async function startApiInProcess(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<{ app: NestFastifyApplication; httpUrl: string; close: () => Promise<void> }> {
  const config = loadConfig(apiConfigSchema, { DATABASE_URL: databaseUrl, HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', LOG_LEVEL: 'error', ...env });
  const app = await createApiApp(config, jsonLogger('api', config.logLevel));
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, httpUrl: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}
