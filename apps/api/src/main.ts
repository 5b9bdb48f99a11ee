import 'reflect-metadata';
import { loadConfigOrExit } from '@rpm/config';
import { jsonLogger } from '@rpm/platform';
import { createApiApp } from './api-app';
import { apiConfigSchema } from './api.config';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(apiConfigSchema, 'api');
  const app = await createApiApp(config, jsonLogger('api', config.logLevel));
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
