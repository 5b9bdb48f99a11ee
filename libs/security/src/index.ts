export * from './password-hash';
export * from './secret-tokens';
