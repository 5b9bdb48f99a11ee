export * from './quiet-hours';
export * from './patient-messages';
export * from './patient-page-text';
export * from './sign-in-address';
