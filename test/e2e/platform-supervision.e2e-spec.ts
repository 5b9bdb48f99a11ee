import { spawn } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { SimulatedDevice } from '../../device-simulators/src/simulated-device';
import { createClinic, type ClinicFixture } from '../support/fixtures';
import { freePort } from '../support/free-port';
import { PlatformProcess } from '../support/platform-process';
import { repoRoot } from '../support/repo-root';
import { createTestDatabase } from '../support/test-services';
import { waitFor } from '../support/wait-for';

const startedPids = (log: string, app: string) =>
  [...log.matchAll(new RegExp(`\\[platform\\] ${app} started \\(pid (\\d+)\\)`, 'g'))].map((match) => Number(match[1]));
const status = (url: string) =>
  fetch(url).then(
    (response) => response.status,
    () => 0,
  );

describe('npm start supervises its apps', () => {
  let platform: PlatformProcess;
  let databaseUrl: string;
  let clinic: ClinicFixture;
  let sql: Client;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    platform = await PlatformProcess.start({ DATABASE_URL: databaseUrl, DEMO_SEED: 'false' });
    clinic = await createClinic(databaseUrl, 'supervised');
    sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    await platform?.stop();
  });

  it('serves alerting health and metrics on its own port: ready with the consumer connected, jobs and backlog reported', async () => {
    expect(platform.log).toContain(`alerting health: ${platform.alertingHttpUrl}/health/ready`);
    const ready = await waitFor('alerting ready', async () => {
      const response = await fetch(`${platform.alertingHttpUrl}/health/ready`);
      const body = (await response.json()) as { lastSuccessfulRuns: Record<string, string | null> };
      return response.status === 200 && body.lastSuccessfulRuns.escalation ? body : undefined;
    });
    expect(ready).toEqual(
      expect.objectContaining({ status: 'ok', checks: { database: 'up', consumer: 'up', evaluation: 'up' }, deliveryBacklog: 0, lastEventAgeSeconds: null }),
    );
    const metrics = await (await fetch(`${platform.alertingHttpUrl}/metrics`)).text();
    expect(metrics).toMatch(/^rpm_alerting_consumer_connected 1$/m);
    expect(metrics).toMatch(/^rpm_alerting_job_last_success_timestamp_seconds\{job="escalation"\} \d+/m);
    expect(metrics).toMatch(/^rpm_alerting_delivery_backlog 0$/m);
    expect(metrics).toContain('# TYPE rpm_alerting_job_failures_total counter');
    expect(await status(`${platform.alertingHttpUrl}/health/live`)).toBe(200);
  });

  it('restarts a kill -9ed gateway at once while the API stays up; alerting reconnects and a later reading is stored and alerted', async () => {
    const [gatewayPid] = startedPids(platform.log, 'gateway');
    expect(gatewayPid).toBeGreaterThan(0);
    // The API answers throughout: sampled every 50 ms from the kill until the reading is alerted.
    const apiStatuses: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        apiStatuses.push(await status(`${platform.httpUrl}/health`));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    const killedAt = Date.now();
    process.kill(gatewayPid, 'SIGKILL');
    await waitFor('the launcher to notice the crash', async () =>
      platform.log.includes('gateway stopped (SIGKILL); restarting it in 1 s') ? true : undefined,
    );
    const noticedMs = Date.now() - killedAt;
    // Alerting has lost its broker: not ready until it reconnects to the restarted gateway.
    const whileDown = await waitFor('alerting not ready without its broker', async () => {
      const response = await fetch(`${platform.alertingHttpUrl}/health/ready`);
      return response.status === 503 ? ((await response.json()) as { checks: Record<string, string> }) : undefined;
    });
    expect(whileDown.checks).toEqual({ database: 'up', consumer: 'down', evaluation: 'up' });
    const [, restartedPid] = await waitFor('the gateway to be started again', async () => {
      const pids = startedPids(platform.log, 'gateway');
      return pids.length > 1 ? pids : undefined;
    });
    expect(restartedPid).not.toBe(gatewayPid);
    await waitFor('the restarted gateway ready', async () => ((await status(`${platform.gatewayHttpUrl}/health/ready`)) === 200 ? true : undefined), 30_000);
    const gatewayBackMs = Date.now() - killedAt;
    await waitFor('alerting consumer reconnected', async () => ((await status(`${platform.alertingHttpUrl}/health/ready`)) === 200 ? true : undefined), 30_000);

    const device = await SimulatedDevice.connect(platform.mqttUrl, clinic.device);
    try {
      const measuredAt = new Date(Date.now() - 30_000).toISOString();
      await device.publish({ metric: 'glucose', value: 48, unit: 'mg/dL', source: 'meter', measuredAt, seq: 1 });
      await waitFor('the reading stored', async () => {
        const { rows } = await sql.query('SELECT 1 FROM readings WHERE patient_id = $1', [clinic.patientId]);
        return rows.length > 0 ? true : undefined;
      });
      await waitFor('the hypoglycaemia alert', async () => {
        const { rows } = await sql.query(`SELECT 1 FROM alerts WHERE patient_id = $1 AND rule_id = 'glucose.level2_hypo' AND status = 'open'`, [
          clinic.patientId,
        ]);
        return rows.length > 0 ? true : undefined;
      });
      const health = (await (await fetch(`${platform.alertingHttpUrl}/health/ready`)).json()) as { lastEventAgeSeconds: number | null };
      expect(health.lastEventAgeSeconds).toEqual(expect.any(Number));
    } finally {
      await device.close();
      sampling = false;
      await sampler;
    }

    process.stdout.write(
      `supervision: crash noticed after ${noticedMs} ms, gateway ready again after ${gatewayBackMs} ms, ${apiStatuses.length} API samples\n`,
    );
    // The old launcher waited its 10 s shutdown timeout for the dead child, then stopped everything.
    expect(noticedMs).toBeLessThan(5_000);
    expect(apiStatuses.length).toBeGreaterThan(10);
    expect(apiStatuses.every((code) => code === 200)).toBe(true);
    expect(platform.log).not.toContain('stopping ...');
  }, 90_000);
});

describe('npm start gives up on an app that cannot start', () => {
  it('stops the platform with a non-zero status and says which app and why when alerting refuses its configuration', async () => {
    const databaseUrl = await createTestDatabase();
    const ports = { MQTT_PORT: await freePort(), HTTP_PORT: await freePort(), GATEWAY_HTTP_PORT: await freePort(), ALERTING_HTTP_PORT: await freePort() };
    const launcher = spawn(process.execPath, [path.join(repoRoot(), 'dist/scripts/start-platform.js')], {
      env: {
        ...process.env,
        ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
        MQTT_HOST: '127.0.0.1',
        HTTP_HOST: '127.0.0.1',
        GATEWAY_HTTP_HOST: '127.0.0.1',
        ALERTING_HTTP_HOST: '127.0.0.1',
        DATABASE_URL: databaseUrl,
        DEMO_SEED: 'false',
        LOG_LEVEL: 'warn',
        // Alerting refuses a webhook without its signing secret (status 78): restarting it cannot help.
        ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/hook',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    launcher.stdout.on('data', (chunk) => (output += chunk));
    launcher.stderr.on('data', (chunk) => (output += chunk));
    const exitCode = await new Promise<number | null>((resolve) => launcher.once('exit', resolve));
    expect(exitCode).not.toBe(0);
    expect(output).toContain('alerting stopped (status 78) and is not restarted: its configuration is invalid');
    expect(startedPids(output, 'alerting')).toHaveLength(1);
  }, 60_000);
});
