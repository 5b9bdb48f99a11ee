export * from './quiet-hours';
export * from './patient-messages';
