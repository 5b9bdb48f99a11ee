import type { NormalizedReading } from '@rpm/contracts';
import { migrateDatabase } from '@rpm/persistence';
import { InfluxReadingStore } from '@rpm/timeseries';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, type as osType, release } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { AppProcess } from '../test/support/app-process';
import { registerDevices } from '../test/support/device-fleet';
import { createClinic } from '../test/support/fixtures';
import { freePort } from '../test/support/free-port';
import { TEST_INTERNAL_PASSWORD, gatewayEnv } from '../test/support/gateway-env';
import { InfluxdServer } from '../test/support/influxd-server';
import { PostgresServer } from '../test/support/postgres-server';
import { LoadGenerator, type StepResult } from './load-generator';

const RATES = (process.env.BENCH_RATES ?? '1000,2500,5000,10000,20000').split(',').map(Number);
const STEP_SECONDS = Number(process.env.BENCH_STEP_SECONDS ?? 10);
const DEVICES = Number(process.env.BENCH_DEVICES ?? 200);
const P99_LIMIT_MS = 2000;

const say = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const root = path.resolve(__dirname, '../..');

async function rawInfluxPeer(url: string): Promise<number> {
  const store = new InfluxReadingStore({ url, database: 'bench_raw' });
  await store.init();
  const patientId = randomUUID();
  const total = 200_000;
  const batch = 5000;
  const start = Date.now();
  for (let offset = 0; offset < total; offset += batch) {
    const readings: NormalizedReading[] = Array.from({ length: batch }, (_, n) => {
      const at = new Date(1_700_000_000_000 + (offset + n) * 1000).toISOString();
      return { patientId, deviceId: `d${n % 200}`, metric: 'heart_rate', measuredAt: at, receivedAt: at, seq: offset + n, unit: 'bpm', values: { value: 70 }, original: { unit: 'bpm', values: { value: 70 } }, context: {} };
    });
    await store.write(readings);
  }
  return Math.round(total / ((Date.now() - start) / 1000));
}

async function gatewayMemory(httpUrl: string): Promise<number> {
  const metrics = await (await fetch(`${httpUrl}/metrics`)).text();
  const line = metrics.split('\n').find((candidate) => candidate.startsWith('rpm_gateway_process_resident_memory_bytes '));
  return Math.round(Number(line?.split(' ')[1]) / 1024 / 1024);
}

async function steps(label: string, run: (rate: number) => Promise<StepResult>): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const rate of RATES) {
    const result = await run(rate);
    results.push(result);
    say(
      `${label} ${rate}/s: sent ${result.sent}, acked ${result.acknowledged}, stored ${result.storedEvents}, achieved ${result.achievedRate}/s, ` +
        `PUBACK p99 ${result.pubackMs.p99} ms, stored p50/p99 ${result.storedMs.p50}/${result.storedMs.p99} ms`,
    );
    if (result.missing > 0 || result.acknowledged < result.sent || result.pubackMs.p99 > P99_LIMIT_MS || result.storedMs.p99 > P99_LIMIT_MS) break;
  }
  return results;
}

async function main(): Promise<void> {
  say(`machine: ${cpus().length} x ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${osType()} ${release()}, Node ${process.version}`);
  const [influxd, postgres] = await Promise.all([InfluxdServer.start(), PostgresServer.start()]);
  const databaseName = `rpm_bench_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: postgres.adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${databaseName}`);
  await admin.end();
  const databaseUrl = Object.assign(new URL(postgres.adminUrl), { pathname: `/${databaseName}` }).toString();
  await migrateDatabase(databaseUrl);
  try {
    say('peer: raw InfluxDB writes (5,000-line batches) ...');
    const rawInflux = process.env.BENCH_SKIP_PEERS ? 0 : await rawInfluxPeer(influxd.url);
    say(`peer: raw InfluxDB ${rawInflux} points/s`);

    const clinic = await createClinic(databaseUrl, 'bench');
    const devices = await registerDevices(databaseUrl, clinic.patientId, DEVICES);

    say('peer: aedes with a no-op consumer ...');
    const aedesPort = await freePort();
    const aedes = spawn(process.execPath, [path.join(__dirname, 'aedes-noop-broker.js'), String(aedesPort)], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => aedes.stdout!.once('data', resolve));
    const aedesLoad = await LoadGenerator.connect(`mqtt://127.0.0.1:${aedesPort}`, devices);
    const aedesSteps = process.env.BENCH_SKIP_PEERS ? [] : await steps('aedes no-op', (rate) => aedesLoad.step(rate, STEP_SECONDS));
    await aedesLoad.close();
    aedes.kill();

    say('ours: gateway (auth, validation, spool, InfluxDB) ...');
    const underTest = await gatewayEnv(databaseUrl, {
      INFLUX_URL: influxd.url,
      INFLUX_DATABASE: 'bench',
      DEVICE_MAX_MESSAGES_PER_SECOND: '100000',
    });
    // e.g. BENCH_GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/profile" to see where the gateway spends its time.
    const nodeArgs = process.env.BENCH_GATEWAY_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const gateway = await AppProcess.start('gateway', underTest.env, underTest.mqttPort, nodeArgs);
    const load = await LoadGenerator.connect(underTest.mqttUrl, devices, { username: 'service:bench', password: TEST_INTERNAL_PASSWORD });
    const memoryIdleMb = await gatewayMemory(underTest.httpUrl);
    const ours = await steps('gateway', (rate) => load.step(rate, STEP_SECONDS));
    const memoryAfterMb = await gatewayMemory(underTest.httpUrl);
    await load.close();
    await gateway.stop();

    const zeroLoss = ours.filter((step) => step.missing === 0 && step.acknowledged === step.sent && step.storedMs.p99 <= P99_LIMIT_MS);
    const best = zeroLoss.at(-1);
    const aedesBest = aedesSteps.filter((step) => step.acknowledged === step.sent && step.pubackMs.p99 <= P99_LIMIT_MS).at(-1);
    const report = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), os: `${osType()} ${release()}`, node: process.version },
      settings: { rates: RATES, stepSeconds: STEP_SECONDS, devices: DEVICES, p99LimitMs: P99_LIMIT_MS, loadGeneratorOnSameMachine: true },
      peers: { rawInfluxPointsPerSecond: rawInflux, aedesNoop: aedesSteps },
      gateway: { steps: ours, memoryMb: { idleWithDevicesConnected: memoryIdleMb, afterLoad: memoryAfterMb } },
      summary: {
        maxSustainedZeroLossReadingsPerSecond: best?.achievedRate ?? 0,
        ratioToAedesNoop: best && aedesBest ? Math.round((best.achievedRate / aedesBest.achievedRate) * 100) / 100 : null,
        ratioToRawInflux: best ? Math.round((best.achievedRate / rawInflux) * 100) / 100 : null,
      },
    };
    mkdirSync(path.join(root, 'bench/results'), { recursive: true });
    writeFileSync(path.join(root, 'bench/results/latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(path.join(root, 'bench/results/latest.md'), markdown(report));
    process.stdout.write(markdown(report));
  } finally {
    await influxd.stop();
    await postgres.stop();
  }
}

function markdown(report: {
  date: string;
  machine: Record<string, unknown>;
  settings: { stepSeconds: number; devices: number };
  peers: { rawInfluxPointsPerSecond: number; aedesNoop: StepResult[] };
  gateway: { steps: StepResult[]; memoryMb: { idleWithDevicesConnected: number; afterLoad: number } };
  summary: { maxSustainedZeroLossReadingsPerSecond: number; ratioToAedesNoop: number | null; ratioToRawInflux: number | null };
}): string {
  const row = (step: StepResult) =>
    `| ${step.targetRate} | ${step.achievedRate} | ${step.sent} | ${step.acknowledged} | ${step.storedEvents || '-'} | ${step.pubackMs.p50}/${step.pubackMs.p95}/${step.pubackMs.p99}/${step.pubackMs.max} | ${step.storedEvents ? `${step.storedMs.p50}/${step.storedMs.p95}/${step.storedMs.p99}/${step.storedMs.max}` : '-'} |`;
  const header = ['| target/s | achieved/s | sent | acknowledged | stored | PUBACK ms p50/p95/p99/max | stored ms p50/p95/p99/max |', '|---|---|---|---|---|---|---|'];
  return [
    `# Benchmark ${report.date}`,
    '',
    `Machine: ${JSON.stringify(report.machine)}; load generator on the same machine; ${report.settings.devices} devices, ${report.settings.stepSeconds} s per step, QoS 1.`,
    '',
    `- Max sustained with zero loss (per-device sequence check of stored events): **${report.summary.maxSustainedZeroLossReadingsPerSecond} readings/s**`,
    `- Ratio to aedes with a no-op consumer: ${report.summary.ratioToAedesNoop ?? 'n/a'}; to raw InfluxDB writes (${report.peers.rawInfluxPointsPerSecond} points/s): ${report.summary.ratioToRawInflux ?? 'n/a'}`,
    `- Gateway memory: ${report.gateway.memoryMb.idleWithDevicesConnected} MiB with the devices connected, ${report.gateway.memoryMb.afterLoad} MiB after the load`,
    '',
    '## Gateway (authentication, validation, spool with fdatasync, InfluxDB)',
    '',
    ...header,
    ...report.gateway.steps.map(row),
    '',
    '## Peer: aedes, no-op consumer',
    '',
    ...header,
    ...report.peers.aedesNoop.map(row),
    '',
  ].join('\n');
}

main().catch((error: Error) => {
  process.stderr.write(`[bench] failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
