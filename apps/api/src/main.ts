import 'reflect-metadata';
import { StandardSchemaValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfigOrExit } from '@rpm/config';
import { jsonLogger } from '@rpm/platform';
import { apiConfigSchema } from './api.config';
import { serveApiDocs } from './docs/api-docs';
import { ApiModule } from './api.module';
import { apiFastifyOptions } from './http/fastify-options';
import { echoRequestIds, logRequestIds } from './http/request-id';
import { ApiMetrics } from './observability/api-metrics';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(apiConfigSchema, 'api');
  const adapter = new FastifyAdapter({
    // With TLS_CERT_FILE and TLS_KEY_FILE the API serves HTTPS only: a plain HTTP request on the port fails.
    ...(config.http.tls ? { https: config.http.tls } : {}),
    ...apiFastifyOptions(config),
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forConfig(config), adapter, {
    logger: jsonLogger('api', config.logLevel),
    abortOnError: false,
  });
  app.useGlobalPipes(new StandardSchemaValidationPipe());
  const metrics = app.get(ApiMetrics);
  // A Fastify hook rather than a Nest interceptor: it also sees requests that guards refuse (401, 404, 429).
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', async (request, reply) => metrics.observe(request, reply.statusCode, reply.elapsedTime / 1000));
  logRequestIds(app.getHttpAdapter().getInstance());
  echoRequestIds(app.getHttpAdapter().getInstance());
  serveApiDocs(app, app.getHttpAdapter().getInstance());
  app.enableShutdownHooks();
  try {
    await app.listen(config.http.port, config.http.host);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`HTTP port ${config.http.port} on ${config.http.host} is already in use. Set HTTP_PORT to a free port.`);
    }
    throw error;
  }
}

bootstrap().catch((error: Error) => {
  process.stderr.write(`api: ${error.message}\n`);
  process.exit(1);
});
