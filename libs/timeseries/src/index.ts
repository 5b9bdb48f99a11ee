export * from './reading-store';
export * from './influx-reading-store';
export * from './postgres-reading-store';
export * from './create-reading-store';
