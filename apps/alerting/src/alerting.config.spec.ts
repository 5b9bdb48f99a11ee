import { alertingConfigSchema } from './alerting.config';

const base = {
  DATABASE_URL: 'postgres://rpm@127.0.0.1/rpm',
  MQTT_URL: 'mqtt://127.0.0.1:1883',
  MQTT_PASSWORD: 'a-shared-secret-of-16+',
};
const problems = (env: Record<string, string>) => {
  const result = alertingConfigSchema.safeParse({ ...base, ...env });
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('alerting config: reminders to patients', () => {
  it.each([
    ['none configured', {}, []],
    ['a short link secret', { PATIENT_LINK_SECRET: 'short', PATIENT_LINK_BASE_URL: 'https://rpm.example.org' }, ['PATIENT_LINK_SECRET']],
    ['a link secret without the base URL', { PATIENT_LINK_SECRET: 'x'.repeat(32) }, ['PATIENT_LINK_BASE_URL']],
    ['a voice URL without its token', { VOICE_URL: 'https://voice.example.org/calls' }, ['VOICE_TOKEN']],
    [
      'all of them',
      { PATIENT_LINK_SECRET: 'x'.repeat(32), PATIENT_LINK_BASE_URL: 'https://rpm.example.org', VOICE_URL: 'https://v.example.org', VOICE_TOKEN: 't' },
      [],
    ],
  ])('%s', (_, env, variables) => {
    expect(problems(env).map((problem) => problem.split(':')[0])).toEqual(variables);
  });
});
