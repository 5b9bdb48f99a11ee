export * from './password-hash';
export * from './secret-tokens';
export * from './patient-link';
