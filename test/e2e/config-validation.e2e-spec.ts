import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { createTestCertificates } from '../support/test-certificates';

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

  it('a simulated clock is checked at start-up in every app and refused in production', () => {
    for (const app of ['gateway', 'alerting', 'api'] as const) {
      const unreadable = runApp(app, { SIMULATED_CLOCK_FILE: '/nonexistent/clock' });
      expect(unreadable.status).toBe(EX_CONFIG);
      expect(unreadable.stderr).toContain('SIMULATED_CLOCK_FILE: cannot be read (ENOENT)');
      const production = runApp(app, { SIMULATED_CLOCK_FILE: '/nonexistent/clock', NODE_ENV: 'production' });
      expect(production.stderr).toContain('SIMULATED_CLOCK_FILE: is refused with NODE_ENV=production');
    }
  });

  it('TLS settings are checked at start-up: a missing file, a lone certificate, a key not matching, no listener left', () => {
    const database = { DATABASE_URL: 'postgres://x@127.0.0.1:1/x', INTERNAL_MQTT_PASSWORD: 'internal-secret-for-tests' };
    const missing = runApp('gateway', { ...database, MQTT_TLS_CERT_FILE: '/nonexistent/server.crt', MQTT_TLS_KEY_FILE: '/nonexistent/server.key' });
    expect(missing.status).toBe(EX_CONFIG);
    expect(missing.stderr).toContain('MQTT_TLS_CERT_FILE: cannot read /nonexistent/server.crt (no such file)');
    expect(missing.stderr).toContain('MQTT_TLS_KEY_FILE: cannot read /nonexistent/server.key (no such file)');

    const noListener = runApp('gateway', { ...database, MQTT_PLAIN: 'false' });
    expect(noListener.status).toBe(EX_CONFIG);
    expect(noListener.stderr).toContain('MQTT_PLAIN: false turns off the plain MQTT listener');

    const certs = createTestCertificates();
    try {
      const lone = runApp('api', { DATABASE_URL: database.DATABASE_URL, TLS_CERT_FILE: certs.certFile });
      expect(lone.status).toBe(EX_CONFIG);
      expect(lone.stderr).toContain('TLS_KEY_FILE: is required with TLS_CERT_FILE');
      const wrongKey = runApp('api', { DATABASE_URL: database.DATABASE_URL, TLS_CERT_FILE: certs.certFile, TLS_KEY_FILE: certs.caFile });
      expect(wrongKey.status).toBe(EX_CONFIG);
      expect(wrongKey.stderr).toContain('are not a usable PEM certificate and matching private key');
      const alerting = runApp('alerting', {
        DATABASE_URL: database.DATABASE_URL,
        MQTT_URL: 'mqtts://gateway:8883',
        MQTT_PASSWORD: 'x',
        MQTT_CA_FILE: '/nonexistent/ca.crt',
      });
      expect(alerting.status).toBe(EX_CONFIG);
      expect(alerting.stderr).toContain('MQTT_CA_FILE: cannot read /nonexistent/ca.crt (no such file)');
    } finally {
      certs.remove();
    }
  });
});
