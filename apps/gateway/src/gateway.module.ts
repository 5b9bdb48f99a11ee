import { Module, type DynamicModule } from '@nestjs/common';
import { DataSourceShutdown, ReadingStoreShutdown, dataSourceProvider, readingStoreProvider } from '@rpm/platform';
import { EmbeddedBroker } from './broker/embedded-broker.service';
import { ExternalBrokerConsumer } from './broker/external-broker-consumer.service';
import { DeviceDirectory } from './devices/device-directory';
import { GATEWAY_CONFIG, type GatewayConfig } from './gateway.config';
import { ReadingIngestor } from './ingest/reading-ingestor';

@Module({})
export class GatewayModule {
  static forConfig(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        dataSourceProvider(GATEWAY_CONFIG),
        readingStoreProvider(GATEWAY_CONFIG),
        DataSourceShutdown,
        ReadingStoreShutdown,
        DeviceDirectory,
        ReadingIngestor,
        config.mqtt.mode === 'embedded' ? EmbeddedBroker : ExternalBrokerConsumer,
      ],
    };
  }
}
