import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from '@rpm/config';
import { jsonLogger } from '@rpm/platform';
import { PortInUseError } from './broker/embedded-broker.service';
import { gatewayConfigSchema } from './gateway.config';
import { GatewayModule } from './gateway.module';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(gatewayConfigSchema, 'gateway');
  const app = await NestFactory.createApplicationContext(GatewayModule.forConfig(config), {
    logger: jsonLogger('gateway', config.logLevel),
    abortOnError: false,
  });
  app.enableShutdownHooks();
  await app.init();
}

bootstrap().catch((error: Error) => {
  process.stderr.write(`gateway: ${error instanceof PortInUseError ? error.message : (error.stack ?? error.message)}\n`);
  process.exit(1);
});
