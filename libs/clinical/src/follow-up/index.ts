export * from './follow-up-policy';
