export * from './follow-up-policy';
export * from './clock';
export * from './follow-up-dashboard';
export * from './silence';
