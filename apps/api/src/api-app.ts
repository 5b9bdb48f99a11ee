import { StandardSchemaValidationPipe, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ApiConfig } from './api.config';
import { ApiModule } from './api.module';
import { serveApiDocs } from './docs/api-docs';
import { apiFastifyOptions } from './http/fastify-options';
import { echoRequestIds, logRequestIds } from './http/request-id';
import { ApiMetrics } from './observability/api-metrics';

/**
 * The API as it serves, not yet listening: main.ts listens on the configured address, and the in-process test
 * tier (test/support/api-in-process.ts) on a free port of its own, so both run the same application.
 */
export async function createApiApp(config: ApiConfig, logger: LoggerService): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    // With TLS_CERT_FILE and TLS_KEY_FILE the API serves HTTPS only: a plain HTTP request on the port fails.
    ...(config.http.tls ? { https: config.http.tls } : {}),
    ...apiFastifyOptions(config),
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forConfig(config), adapter, { logger, abortOnError: false });
  app.useGlobalPipes(new StandardSchemaValidationPipe());
  const metrics = app.get(ApiMetrics);
  const fastify = app.getHttpAdapter().getInstance();
  // A Fastify hook rather than a Nest interceptor: it also sees requests that guards refuse (401, 404, 429).
  fastify.addHook('onResponse', async (request, reply) => metrics.observe(request, reply.statusCode, reply.elapsedTime / 1000));
  logRequestIds(fastify);
  echoRequestIds(fastify);
  serveApiDocs(app, fastify);
  return app;
}
