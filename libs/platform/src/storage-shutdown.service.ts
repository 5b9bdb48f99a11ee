import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { ReadingStore } from '@rpm/timeseries';
import { DataSource } from 'typeorm';
import { READING_STORE } from './storage.providers';

/** Closes the PostgreSQL pool that dataSourceProvider opened when the app stops. */
@Injectable()
export class DataSourceShutdown implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** Closes the reading store that readingStoreProvider opened when the app stops. */
@Injectable()
export class ReadingStoreShutdown implements OnApplicationShutdown {
  constructor(@Inject(READING_STORE) private readonly store: ReadingStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
