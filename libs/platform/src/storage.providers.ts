import { Logger, type FactoryProvider, type InjectionToken } from '@nestjs/common';
import type { TimeseriesConfig } from '@rpm/config';
import { createDataSource } from '@rpm/persistence';
import { createReadingStore, type ReadingStore } from '@rpm/timeseries';
import { DataSource } from 'typeorm';

export const READING_STORE = Symbol('READING_STORE');

interface StorageConfig {
  databaseUrl: string;
  databasePoolMax?: number;
  timeseries: TimeseriesConfig;
}

/** A connected TypeORM DataSource; the schema must already be migrated (`npm run db:migrate`). */
export const dataSourceProvider = (configToken: InjectionToken): FactoryProvider<DataSource> => ({
  provide: DataSource,
  inject: [configToken],
  useFactory: async (config: StorageConfig) => createDataSource(config.databaseUrl, { poolMax: config.databasePoolMax }).initialize(),
});

export const readingStoreProvider = (configToken: InjectionToken): FactoryProvider<ReadingStore> => ({
  provide: READING_STORE,
  inject: [configToken],
  useFactory: async (config: StorageConfig) => {
    const store = createReadingStore(config.timeseries, config.databaseUrl);
    // A store that is down at start-up must not keep the app down: writes and reads retry init.
    await store
      .init()
      .catch((error: Error) => new Logger('ReadingStore').warn({ message: 'time-series store not reachable at start-up; will retry', error: error.message }));
    return store;
  },
});
