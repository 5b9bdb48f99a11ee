export * from './fhir-export';
