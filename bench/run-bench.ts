import type { NormalizedReading } from '@rpm/contracts';
import { migrateDatabase } from '@rpm/persistence';
import { InfluxReadingStore } from '@rpm/timeseries';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
import { alertStep, registerAlertPatients, type AlertStepResult } from './alert-latency';
import { connectIdleFleet, disconnectIdleFleet } from './idle-fleet';
import { LoadGenerator, type StepResult } from './load-generator';
import { startMosquittoPeer } from './mosquitto-peer';
import { COMPONENTS, cpuBetween, cpuSnapshot } from './process-cpu';
import { markdown, type BenchReport, type MeasuredStep } from './report';
import { registerPatients, urgentUnderBurst, type BurstAlertResult } from './urgent-under-burst';

const RATES = (process.env.BENCH_RATES ?? '1000,2500,5000,10000,15000,20000,30000').split(',').map(Number);
const STEP_SECONDS = Number(process.env.BENCH_STEP_SECONDS ?? 10);
const DEVICES = Number(process.env.BENCH_DEVICES ?? 200);
const ALERT_RATE = Number(process.env.BENCH_ALERT_RATE ?? 5000);
const ALERT_PATIENTS = Number(process.env.BENCH_ALERT_PATIENTS ?? 1000);
const BURST = {
  wearables: Number(process.env.BENCH_BURST_WEARABLES ?? 200),
  backgroundSeconds: 10,
  burstRate: Number(process.env.BENCH_BURST_RATE ?? 3000),
  burstSeconds: 10,
  urgentPerPhase: 20,
};
const FLEET = Number(process.env.BENCH_FLEET_DEVICES ?? 10_000);
/** BENCH_SKIP=peers,mosquitto,aedes,influx,alerts,burst,fleet leaves those parts out (BENCH_SKIP_PEERS=1 is BENCH_SKIP=peers). */
const SKIP = new Set([...(process.env.BENCH_SKIP ?? '').split(','), ...(process.env.BENCH_SKIP_PEERS ? ['peers'] : [])]);
const skipped = (part: string) => SKIP.has(part) || (['mosquitto', 'aedes', 'influx'].includes(part) && SKIP.has('peers'));
const P99_LIMIT_MS = 2000;

const say = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const root = path.resolve(__dirname, '../..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
      return {
        patientId,
        deviceId: `d${n % 200}`,
        metric: 'heart_rate',
        measuredAt: at,
        receivedAt: at,
        seq: offset + n,
        unit: 'bpm',
        values: { value: 70 },
        original: { unit: 'bpm', values: { value: 70 } },
        context: {},
      };
    });
    await store.write(readings);
  }
  return Math.round(total / ((Date.now() - start) / 1000));
}

/** The soft limit on open files: each idle device is one socket here (and one in the gateway). */
function openFilesLimit(): number {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((candidate) => candidate.startsWith('Max open files'));
  const soft = line?.split(/\s{2,}/)[1];
  return soft === undefined || soft === 'unlimited' ? Infinity : Number(soft);
}

async function gatewayMemoryMiB(httpUrl: string): Promise<number> {
  const metrics = await (await fetch(`${httpUrl}/metrics`)).text();
  const line = metrics.split('\n').find((candidate) => candidate.startsWith('rpm_gateway_process_resident_memory_bytes '));
  return Math.round(Number(line?.split(' ')[1]) / 1024 / 1024);
}

/** Runs `run` for each rate, with the CPU each component used in it, up to the first step that loses readings or passes the p99 bound. */
async function steps(label: string, run: (rate: number) => Promise<StepResult>): Promise<MeasuredStep[]> {
  const results: MeasuredStep[] = [];
  for (const rate of RATES) {
    const before = cpuSnapshot(COMPONENTS);
    const result = { ...(await run(rate)), cpuSeconds: {} };
    result.cpuSeconds = cpuBetween(before, cpuSnapshot(COMPONENTS));
    results.push(result);
    say(
      `${label} ${rate}/s: sent ${result.sent}, acked ${result.acknowledged}, stored ${result.storedEvents}, achieved ${result.achievedRate}/s, ` +
        `PUBACK p99 ${result.pubackMs.p99} ms, stored p50/p99 ${result.storedMs.p50}/${result.storedMs.p99} ms, CPU s ${JSON.stringify(result.cpuSeconds)}`,
    );
    if (!withinBound(result, result.storedEvents > 0 || result.missing > 0)) break;
  }
  return results;
}

/** Zero loss (every reading acknowledged, and stored when the pipeline announces storage) within the p99 bound. */
function withinBound(step: StepResult, stores: boolean): boolean {
  return step.missing === 0 && step.acknowledged === step.sent && step.pubackMs.p99 <= P99_LIMIT_MS && (!stores || step.storedMs.p99 <= P99_LIMIT_MS);
}

const bestRate = (results: MeasuredStep[], stores: boolean) => results.filter((step) => withinBound(step, stores)).at(-1)?.achievedRate ?? 0;
const ratio = (ours: number, peer: number) => (ours && peer ? Math.round((ours / peer) * 100) / 100 : null);

async function main(): Promise<void> {
  const machine = {
    cpus: cpus().length,
    model: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${osType()} ${release()}`,
    node: process.version,
  };
  say(`machine: ${JSON.stringify(machine)}`);
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
    const rawInflux = skipped('influx') ? 0 : await rawInfluxPeer(influxd.url);
    say(`peer: raw InfluxDB ${rawInflux} points/s`);

    const clinic = await createClinic(databaseUrl, 'bench');
    const devices = await registerDevices(databaseUrl, clinic.patientId, DEVICES);

    let aedesSteps: MeasuredStep[] = [];
    if (!skipped('aedes')) {
      say('peer: aedes with a no-op consumer ...');
      const aedesPort = await freePort();
      const aedes = spawn(process.execPath, [path.join(__dirname, 'aedes-noop-broker.js'), String(aedesPort)], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise((resolve) => aedes.stdout!.once('data', resolve));
      const aedesLoad = await LoadGenerator.connect(`mqtt://127.0.0.1:${aedesPort}`, devices);
      aedesSteps = await steps('aedes no-op', (rate) => aedesLoad.step(rate, STEP_SECONDS));
      await aedesLoad.close();
      aedes.kill();
    }

    let mosquittoSteps: MeasuredStep[] = [];
    if (!skipped('mosquitto')) {
      say('peer: Mosquitto + subscriber writing to InfluxDB ...');
      const peer = await startMosquittoPeer(devices, influxd.url, databaseUrl);
      const peerLoad = await LoadGenerator.connect(peer.url, devices, peer.observer);
      mosquittoSteps = await steps('mosquitto pipeline', (rate) => peerLoad.step(rate, STEP_SECONDS));
      await peerLoad.close();
      await peer.stop();
    }

    say('ours: gateway (auth, validation, spool, InfluxDB) ...');
    const underTest = await gatewayEnv(databaseUrl, {
      INFLUX_URL: influxd.url,
      INFLUX_DATABASE: 'bench',
      DEVICE_MAX_MESSAGES_PER_SECOND: '100000',
    });
    // e.g. BENCH_GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/profile" to see where the gateway spends its time.
    const nodeArgs = process.env.BENCH_GATEWAY_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const gateway = await AppProcess.start('gateway', underTest.env, underTest.mqttPort, nodeArgs);

    let fleet: BenchReport['gateway']['fleet'] = null;
    const fdLimit = openFilesLimit();
    if (!skipped('fleet') && fdLimit < FLEET + 1000)
      say(`skipping the ${FLEET}-device fleet: this process may open ${fdLimit} files (ulimit -n); it needs ${FLEET + 1000}`);
    else if (!skipped('fleet')) {
      say(`ours: memory with ${FLEET} idle devices connected ...`);
      const fleetDevices = await registerDevices(databaseUrl, clinic.patientId, FLEET);
      const beforeMiB = await gatewayMemoryMiB(underTest.httpUrl);
      const started = Date.now();
      const clients = await connectIdleFleet(underTest.mqttUrl, fleetDevices);
      const connectSeconds = (Date.now() - started) / 1000;
      await sleep(2000);
      const afterMiB = await gatewayMemoryMiB(underTest.httpUrl);
      await disconnectIdleFleet(clients);
      fleet = { devices: FLEET, beforeMiB, afterMiB, perTenThousandMiB: Math.round(((afterMiB - beforeMiB) * 10_000) / FLEET), connectSeconds };
      say(`ours: ${FLEET} devices: ${beforeMiB} -> ${afterMiB} MiB, connected in ${connectSeconds} s`);
    }

    const load = await LoadGenerator.connect(underTest.mqttUrl, devices, { username: 'service:bench', password: TEST_INTERNAL_PASSWORD });
    const memoryIdleMiB = await gatewayMemoryMiB(underTest.httpUrl);
    const ours = await steps('gateway', (rate) => load.step(rate, STEP_SECONDS));
    const memoryAfterMiB = await gatewayMemoryMiB(underTest.httpUrl);
    await load.close();

    let alerts: (AlertStepResult & { cpuSeconds: Record<string, number> }) | null = null;
    let burst: (BurstAlertResult & { cpuSeconds: Record<string, number> }) | null = null;
    if (!skipped('alerts') || !skipped('burst')) {
      say(`ours: publish-to-alert at ${ALERT_RATE}/s over ${ALERT_PATIENTS} patients, with alerting running ...`);
      const alertNodeArgs = process.env.BENCH_ALERTING_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
      // BENCH_SKIP=alerting-app runs the same step without alerting: what the gateway alone does with it.
      const alerting = skipped('alerting-app')
        ? undefined
        : await AppProcess.start(
            'alerting',
            {
              DATABASE_URL: databaseUrl,
              INFLUX_URL: influxd.url,
              INFLUX_DATABASE: 'bench',
              MQTT_URL: underTest.mqttUrl,
              MQTT_PASSWORD: TEST_INTERNAL_PASSWORD,
              LOG_LEVEL: 'log',
              ALERTING_HTTP_HOST: '127.0.0.1',
              ALERTING_HTTP_PORT: String(await freePort()),
            },
            { logLine: 'alerting subscribed to accepted readings' },
            alertNodeArgs,
          );
      if (!skipped('alerts')) {
        const patients = await registerAlertPatients(databaseUrl, clinic.careTeamId, ALERT_PATIENTS);
        const alertLoad = await LoadGenerator.connect(underTest.mqttUrl, patients.devices, { username: 'service:bench', password: TEST_INTERNAL_PASSWORD });
        const before = cpuSnapshot(COMPONENTS);
        const result = await alertStep(databaseUrl, alertLoad, patients, ALERT_RATE, STEP_SECONDS);
        alerts = { ...result, cpuSeconds: cpuBetween(before, cpuSnapshot(COMPONENTS)) };
        say(
          `ours: ${result.alertsRaised} of ${result.abnormalReadings} alerts raised; publish-to-alert p50/p99/max ${result.publishToAlertMs.p50}/${result.publishToAlertMs.p99}/${result.publishToAlertMs.max} ms; ` +
            `stored p99 ${result.step.storedMs.p99} ms; CPU s ${JSON.stringify(alerts.cpuSeconds)}`,
        );
        await alertLoad.close();
      }
      if (!skipped('burst')) {
        say(`ours: urgent lows during and after a ${BURST.burstRate}/s burst over ${BURST.wearables} wearables at 1 Hz ...`);
        const wearablePatients = await registerPatients(databaseUrl, clinic.careTeamId, BURST.wearables, 'wearable');
        const meters = await registerPatients(databaseUrl, clinic.careTeamId, 2 * BURST.urgentPerPhase, 'glucose_meter');
        const wearables = await LoadGenerator.connect(underTest.mqttUrl, wearablePatients.devices, {
          username: 'service:bench',
          password: TEST_INTERNAL_PASSWORD,
        });
        const before = cpuSnapshot(COMPONENTS);
        const result = await urgentUnderBurst(databaseUrl, wearables, underTest.mqttUrl, meters, BURST);
        burst = { ...result, cpuSeconds: cpuBetween(before, cpuSnapshot(COMPONENTS)) };
        say(
          `ours: urgent publish-to-alert during the burst p50/p99 ${result.during.publishToAlertMs.p50}/${result.during.publishToAlertMs.p99} ms, after ${result.after.publishToAlertMs.p50}/${result.after.publishToAlertMs.p99} ms`,
        );
        await wearables.close();
      }
      await alerting?.stop();
    }
    await gateway.stop();

    const best = bestRate(ours, true);
    const report: BenchReport = {
      date: new Date().toISOString(),
      machine,
      settings: {
        rates: RATES,
        stepSeconds: STEP_SECONDS,
        devices: DEVICES,
        p99LimitMs: P99_LIMIT_MS,
        loadGeneratorOnSameMachine: true,
        alertRate: ALERT_RATE,
        alertPatients: ALERT_PATIENTS,
      },
      peers: { rawInfluxPointsPerSecond: rawInflux, aedesNoop: aedesSteps, mosquittoPipeline: mosquittoSteps },
      gateway: { steps: ours, memoryMiB: { idleWithDevicesConnected: memoryIdleMiB, afterLoad: memoryAfterMiB }, fleet, alerts, urgentUnderBurst: burst },
      summary: {
        maxSustainedZeroLossReadingsPerSecond: best,
        mosquittoPipelineMaxZeroLoss: bestRate(mosquittoSteps, true),
        aedesNoopMax: bestRate(aedesSteps, false),
        ratioToMosquittoPipeline: ratio(best, bestRate(mosquittoSteps, true)),
        ratioToAedesNoop: ratio(best, bestRate(aedesSteps, false)),
        ratioToRawInflux: ratio(best, rawInflux),
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

main().catch((error: Error) => {
  process.stderr.write(`[bench] failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
