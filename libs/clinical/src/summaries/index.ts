export * from './cgm-summary';
export * from './home-bp-summary';
export * from './local-days';
