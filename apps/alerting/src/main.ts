import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from '@rpm/config';
import { jsonLogger } from '@rpm/platform';
import { alertingConfigSchema } from './alerting.config';
import { AlertingModule } from './alerting.module';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(alertingConfigSchema, 'alerting');
  const app = await NestFactory.createApplicationContext(AlertingModule.forConfig(config), {
    logger: jsonLogger('alerting', config.logLevel),
    abortOnError: false,
  });
  app.enableShutdownHooks();
  await app.init();
}

bootstrap().catch((error: Error) => {
  process.stderr.write(`alerting: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
