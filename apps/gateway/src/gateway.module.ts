import { Module, type DynamicModule } from '@nestjs/common';
import { QuarantineRepository } from '@rpm/persistence';
import { DataSource } from 'typeorm';
import { DataSourceShutdown, ReadingStoreShutdown, dataSourceProvider, readingStoreProvider, clockProvider } from '@rpm/platform';
import { brokerPublisherProvider } from './broker/broker-publisher';
import { EmbeddedBroker } from './broker/embedded-broker.service';
import { BrokerReadingAnnouncer, JetStreamReadingAnnouncer, READING_ANNOUNCER } from './broker/reading-announcer';
import { ExternalBrokerConsumer } from './broker/external-broker-consumer.service';
import { DeviceDirectory } from './devices/device-directory';
import { DeviceRevocationListener } from './devices/device-revocation-listener';
import { GATEWAY_CONFIG, type GatewayConfig } from './gateway.config';
import { ReadingIngestor } from './ingest/reading-ingestor';
import { GatewayHttpServer } from './observability/gateway-http.server';
import { GatewayMetrics } from './observability/gateway-metrics';
import { GatewayReadiness } from './observability/gateway-readiness';
import { SpoolAlarm } from './observability/spool-alarm';
import { QuarantineReplayer } from './spool/quarantine-replayer';
import { readingSpoolProvider } from './spool/reading-spool.provider';
import { ReceiptPublisher } from './spool/receipt-publisher';
import { SpoolDrainer } from './spool/spool-drainer';

@Module({})
export class GatewayModule {
  static forConfig(config: GatewayConfig): DynamicModule {
    const embedded = config.mqtt.mode === 'embedded';
    return {
      module: GatewayModule,
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        clockProvider('gateway', config.simulatedClockFile),
        dataSourceProvider(GATEWAY_CONFIG),
        readingStoreProvider(GATEWAY_CONFIG),
        readingSpoolProvider,
        DataSourceShutdown,
        ReadingStoreShutdown,
        GatewayMetrics,
        DeviceDirectory,
        ReadingIngestor,
        { provide: QuarantineRepository, inject: [DataSource], useFactory: (dataSource: DataSource) => new QuarantineRepository(dataSource) },
        ReceiptPublisher,
        SpoolDrainer,
        QuarantineReplayer,
        SpoolAlarm,
        GatewayReadiness,
        GatewayHttpServer,
        ...(embedded ? [EmbeddedBroker, DeviceRevocationListener] : [ExternalBrokerConsumer]),
        brokerPublisherProvider(embedded ? EmbeddedBroker : ExternalBrokerConsumer),
        { provide: READING_ANNOUNCER, useClass: config.eventLog ? JetStreamReadingAnnouncer : BrokerReadingAnnouncer },
      ],
    };
  }
}
