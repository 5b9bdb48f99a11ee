export * from './storage.providers';
export * from './storage-shutdown.service';
export * from './json-logger';
export * from './mqtt-connected';
export * from './health-http-server';
export * from './http-server';
export * from './pg-listener';
