import { Module, type DynamicModule } from '@nestjs/common';
import { DataSourceShutdown, dataSourceProvider } from '@rpm/platform';
import { ALERTING_CONFIG, type AlertingConfig } from './alerting.config';
import { AcceptedReadingsConsumer } from './alerts/accepted-readings.consumer';
import { AlertRepository } from './alerts/alert.repository';
import { ReadingEvaluator } from './alerts/reading-evaluator';

@Module({})
export class AlertingModule {
  static forConfig(config: AlertingConfig): DynamicModule {
    return {
      module: AlertingModule,
      providers: [
        { provide: ALERTING_CONFIG, useValue: config },
        dataSourceProvider(ALERTING_CONFIG),
        AlertRepository,
        ReadingEvaluator,
        AcceptedReadingsConsumer,
        DataSourceShutdown,
      ],
    };
  }
}
