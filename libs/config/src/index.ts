export * from './load-config';
export * from './common-variables';
export * from './tls-variables';
export * from './broker-dynsec-variables';
export * from './simulated-clock-variables';
