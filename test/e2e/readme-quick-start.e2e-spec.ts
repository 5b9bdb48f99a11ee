import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../support/free-port';
import { PlatformProcess } from '../support/platform-process';

/** The shell block under "## Try it" in README.md, exactly as a newcomer would paste it. */
function readmeTryItBlock(): string {
  const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
  const section = readme.split('\n## Try it')[1];
  const block = section && /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README.md has no ```sh block under "## Try it"');
  return block;
}

describe('README quick start on embedded defaults (embedded PostgreSQL, no InfluxDB)', () => {
  let platform: PlatformProcess;

  beforeAll(async () => {
    for (const variable of ['DATABASE_URL', 'INFLUX_URL', 'DEMO_SEED']) delete process.env[variable];
    // PlatformProcess gives the launcher a fresh DATA_DIR, as a fresh clone has an empty ./data.
    platform = await PlatformProcess.start({ EMBEDDED_POSTGRES_PORT: String(await freePort()) });
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
  });

  it('prints the addresses and the demo log-in', () => {
    expect(platform.log).toContain(`MQTT (devices):  mqtt://127.0.0.1:${new URL(platform.mqttUrl).port}`);
    expect(platform.log).toContain('"email":"demo.doctor@example.org","password":"demo-password"');
    // The apps connect to the embedded database as the application role, not as its superuser.
    expect(platform.log).not.toContain('could rewrite the audit log');
  });

  it('mosquitto_pub with the demo device credential publishes a reading the documented API calls return', () => {
    const script = readmeTryItBlock()
      .replaceAll('-p 1883', `-p ${new URL(platform.mqttUrl).port}`)
      .replaceAll('http://localhost:3000', platform.httpUrl);
    const output = execFileSync('bash', ['-euo', 'pipefail', '-c', script], { encoding: 'utf8', timeout: 30_000 });
    const [readingsLine, alertsLine] = output.trim().split('\n');
    expect(JSON.parse(readingsLine).readings).toEqual([expect.objectContaining({ deviceId: 'demo-glucose-meter', metric: 'glucose', values: { value: 48 } })]);
    // The alert is raised asynchronously by the alerting process; the README's call may race it.
    const alerts = JSON.parse(alertsLine).alerts as { ruleId: string }[];
    expect(alerts.every((alert) => alert.ruleId === 'glucose.level2_hypo')).toBe(true);
  });
});
