export * from './follow-up-policy';
export * from './clock';
