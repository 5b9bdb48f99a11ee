import { spawnSync } from 'node:child_process';
import path from 'node:path';

const EX_CONFIG = 78;

function runApp(app: 'gateway' | 'alerting' | 'api', env: Record<string, string>) {
  const main = path.resolve(__dirname, `../../dist/apps/${app}/src/main.js`);
  const result = spawnSync(process.execPath, [main], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stderr: result.stderr };
}

describe('configuration is validated at start-up', () => {
  it('the gateway lists every problem, names the variables and exits with EX_CONFIG', () => {
    const { status, stderr } = runApp('gateway', { INFLUX_URL: 'not a url', INFLUX_USERNAME: 'admin', MQTT_PORT: 'eighteen' });
    expect(status).toBe(EX_CONFIG);
    expect(stderr).toContain('gateway: Invalid configuration:');
    expect(stderr).toContain('DATABASE_URL: is required');
    expect(stderr).toContain('INFLUX_URL: must be an http(s) URL');
    expect(stderr).toContain('INFLUX_PASSWORD: INFLUX_USERNAME and INFLUX_PASSWORD go together');
    expect(stderr).toContain('MQTT_PORT: must be a TCP port number');
    expect(stderr).toContain('INTERNAL_MQTT_PASSWORD: is required with the embedded broker');
  });

  it('external-broker mode needs the broker URL', () => {
    const { status, stderr } = runApp('gateway', { DATABASE_URL: 'postgres://x@127.0.0.1:1/x', MQTT_MODE: 'external' });
    expect(status).toBe(EX_CONFIG);
    expect(stderr).toContain('MQTT_URL: is required when MQTT_MODE=external');
  });

  it('alerting and the API refuse to start without their required variables', () => {
    const alerting = runApp('alerting', {});
    expect(alerting.status).toBe(EX_CONFIG);
    expect(alerting.stderr).toContain('MQTT_PASSWORD: is required');
    const api = runApp('api', { DATABASE_URL: 'mysql://nope', HTTP_PORT: '70000' });
    expect(api.status).toBe(EX_CONFIG);
    expect(api.stderr).toContain('DATABASE_URL: must start with postgres:// or postgresql://');
    expect(api.stderr).toContain('HTTP_PORT:');
  });
});
