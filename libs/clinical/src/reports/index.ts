export * from './agp';
export * from './home-bp-report';
export * from './local-time';
