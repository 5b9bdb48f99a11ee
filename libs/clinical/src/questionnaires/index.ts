export * from './questionnaire';
export * from './instruments';
export * from './answer-rules';
export * from './questionnaire-schedule';
