export * from './units';
export * from './normalize-reading';
export * from './rules';
export * from './follow-up';
export * from './fhir';
export * from './summaries';
export * from './reports';
export * from './pathways';
