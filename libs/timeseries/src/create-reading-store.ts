import type { TimeseriesConfig } from '@rpm/config';
import { InfluxReadingStore } from './influx-reading-store';
import { PostgresReadingStore } from './postgres-reading-store';
import type { ReadingStore } from './reading-store';

export function createReadingStore(config: TimeseriesConfig, databaseUrl: string): ReadingStore {
  return config.kind === 'influxdb' ? new InfluxReadingStore(config) : new PostgresReadingStore(databaseUrl);
}
