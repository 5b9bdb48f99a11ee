export * from './reading-store';
export * from './reading-store-rejection';
export * from './influx-reading-store';
export * from './postgres-reading-store';
export * from './create-reading-store';
export * from './write-isolating-refusals';
