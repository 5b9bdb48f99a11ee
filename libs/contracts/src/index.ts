export * from './device-topics';
export * from './device-payloads.schema';
export * from './device-replies.schema';
export * from './reading-events.schema';
export * from './api.schema';
export * from './responses';
export * from './patient-contact.schema';
export * from './pairing-qr.schema';
