export * from './rule-definition.schema';
export * from './rule-outcome';
export * from './evaluate-rules';
export * from './default-rules';
export { forecastGlucose } from './predicted-low.evaluator';
export * from './streaming';
export { canOpenUrgent } from './can-open-urgent';
