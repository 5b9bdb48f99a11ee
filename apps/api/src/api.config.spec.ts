import { apiConfigSchema } from './api.config';

const base = { DATABASE_URL: 'postgres://rpm@127.0.0.1/rpm' };
const problems = (env: Record<string, string>) => {
  const result = apiConfigSchema.safeParse({ ...base, ...env });
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};
const dynsec = { BROKER_DYNSEC_URL: 'mqtts://broker.internal:8884', BROKER_DYNSEC_USERNAME: 'rpm-dynsec-admin', BROKER_DYNSEC_PASSWORD: 'secret' };

describe('API config: Mosquitto dynamic security', () => {
  it.each([
    ['off by default, nothing else needed', {}, []],
    ['on with its admin login', { BROKER_DYNSEC: 'on', ...dynsec }, []],
    ['on without the broker or login', { BROKER_DYNSEC: 'on' }, ['BROKER_DYNSEC_URL', 'BROKER_DYNSEC_USERNAME', 'BROKER_DYNSEC_PASSWORD']],
    ['on with an http URL', { BROKER_DYNSEC: 'on', ...dynsec, BROKER_DYNSEC_URL: 'http://broker:8884' }, ['BROKER_DYNSEC_URL']],
    ['a value other than on or off', { BROKER_DYNSEC: 'yes', ...dynsec }, ['BROKER_DYNSEC']],
    ['a CA file that does not exist', { BROKER_DYNSEC: 'on', ...dynsec, BROKER_DYNSEC_CA_FILE: '/nonexistent/ca.pem' }, ['BROKER_DYNSEC_CA_FILE']],
  ])('%s', (_, env, variables) => {
    expect(problems(env).map((problem) => problem.split(':')[0])).toEqual(variables);
  });

  it('gives the API the admin login only when on', () => {
    expect(apiConfigSchema.parse({ ...base, ...dynsec }).brokerDynsec).toBeUndefined();
    expect(apiConfigSchema.parse({ ...base, BROKER_DYNSEC: 'on', ...dynsec }).brokerDynsec).toEqual({
      url: 'mqtts://broker.internal:8884',
      username: 'rpm-dynsec-admin',
      password: 'secret',
      ca: undefined,
    });
  });
});
