export * from './fhir-export';
export * from './fhir-questionnaire-response';
