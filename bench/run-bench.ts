import type { NormalizedReading } from '@rpm/contracts';
import { migrateDatabase } from '@rpm/persistence';
import { InfluxReadingStore } from '@rpm/timeseries';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem, type as osType } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { DeviceCredential } from '../device-simulators/src/simulated-device';
import { AppProcess } from '../test/support/app-process';
import { registerDevices } from '../test/support/device-fleet';
import { createClinic } from '../test/support/fixtures';
import { freePort } from '../test/support/free-port';
import { TEST_INTERNAL_PASSWORD, gatewayEnv } from '../test/support/gateway-env';
import { InfluxdServer } from '../test/support/influxd-server';
import { PostgresServer } from '../test/support/postgres-server';
import { alertStep, registerAlertPatients, type AlertStepResult } from './alert-latency';
import { EvaluationWatch, readingsEvaluated, type EvaluationResult } from './evaluation-watch';
import { connectIdleFleet, disconnectIdleFleet } from './idle-fleet';
import { LoadGenerator, type StepResult } from './load-generator';
import { startMosquittoPeer } from './mosquitto-peer';
import { COMPONENTS, NATS_SERVER, cpuBetween, cpuSnapshot, descendantPids } from './process-cpu';
import { BacklogWatch, BenchReadingLog, natsUnavailable, scrapeValue, stalledAlertingStep } from './reading-log-mode';
import { markdown, platformCpuPercent, type BenchReport, type LogModeStep, type MeasuredStep, type QuietResult, type ReadingLogReport } from './report';
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
/**
 * BENCH_MODES: `embedded` is the platform as npm start runs it (alerting on the gateway's broker), `log` the gateway
 * and alerting on a reading log of the bench's own (EVENT_LOG_URL: NATS JetStream), skipped with a line in the
 * report when NATS is not reachable. Without `embedded`, the platform's embedded-mode parts are left out.
 */
const MODES = new Set((process.env.BENCH_MODES ?? 'embedded,log').split(',').map((mode) => mode.trim()));
const LOG_RATES = (process.env.BENCH_LOG_RATES ?? '2500,5000,10000').split(',').map(Number);
const LOG_NATS_URL = process.env.BENCH_NATS_URL ?? process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const LOG_PARTITIONS = Number(process.env.BENCH_LOG_PARTITIONS ?? 16);
/** How long a reading-log step waits for alerting to evaluate the step's readings before the next step. */
const LOG_CATCH_UP_SECONDS = Number(process.env.BENCH_LOG_CATCH_UP_SECONDS ?? 120);
/** The stalled-alerting step of both modes: alerting stopped (SIGSTOP) for the whole step, resumed after it. */
const STALL = { rate: Number(process.env.BENCH_STALL_RATE ?? 2500), seconds: Number(process.env.BENCH_STALL_SECONDS ?? 10) };
/** BENCH_SKIP=peers,mosquitto,aedes,influx,alerts,burst,fleet leaves those parts out (BENCH_SKIP_PEERS=1 is BENCH_SKIP=peers). */
const SKIP = new Set([...(process.env.BENCH_SKIP ?? '').split(','), ...(process.env.BENCH_SKIP_PEERS ? ['peers'] : [])]);
if (!MODES.has('embedded')) for (const part of ['fleet', 'quiet', 'steps', 'alerts', 'burst', 'api', 'alerting-app']) SKIP.add(part);
const skipped = (part: string) => SKIP.has(part) || (['mosquitto', 'aedes', 'influx'].includes(part) && SKIP.has('peers'));
const P99_LIMIT_MS = 2000;
const PUBACK_LIMIT_MS = 1000;
const QUIET_RATE = Number(process.env.BENCH_QUIET_RATE ?? 10);
const QUIET_SECONDS = Number(process.env.BENCH_QUIET_SECONDS ?? 40);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 20);

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

/** Runs `run` for each rate, with the CPU each component used in it, until two steps in a row are outside the bound. */
async function steps<Step extends StepResult & { evaluation?: EvaluationResult }>(
  label: string,
  run: (rate: number) => Promise<Step>,
  within: (step: MeasuredStep) => boolean,
  rates = RATES,
  snapshot = () => cpuSnapshot(COMPONENTS),
): Promise<(Step & MeasuredStep)[]> {
  const results: (Step & MeasuredStep)[] = [];
  for (const rate of rates) {
    const before = snapshot();
    const result: Step & MeasuredStep = { ...(await run(rate)), cpuSeconds: {} };
    result.cpuSeconds = cpuBetween(before, snapshot());
    results.push(result);
    const evaluation = result.evaluation;
    say(
      `${label} ${rate}/s: sent ${result.sent}, acked ${result.acknowledged}, stored ${result.storedEvents}, achieved ${result.achievedRate}/s, ` +
        `PUBACK p50/p99 ${result.pubackMs.p50}/${result.pubackMs.p99} ms, stored p50/p99 ${result.storedMs.p50}/${result.storedMs.p99} ms` +
        (evaluation ? `, evaluated ${evaluation.evaluated}, evaluation lag p50/p99 ${evaluation.lagMs.p50}/${evaluation.lagMs.p99} ms` : '') +
        `, CPU s ${JSON.stringify(result.cpuSeconds)}`,
    );
    // Two steps in a row outside the bound end the series: one alone may be a moment of the shared machine's contention.
    if (!within(result) && results.length > 1 && !within(results.at(-2)!)) break;
  }
  return results;
}

/**
 * Zero loss (every reading acknowledged; stored, when the pipeline announces storage; evaluated, when alerting
 * runs), PUBACK p99 under 1 s, and p99 under 2 s to the pipeline's last stage: evaluated when alerting runs, else stored.
 */
function withinBound(step: MeasuredStep, stores: boolean, evaluates = false): boolean {
  if (step.acknowledged !== step.sent || step.pubackMs.p99 >= PUBACK_LIMIT_MS) return false;
  if (stores && (step.missing !== 0 || step.storedEvents !== step.sent)) return false;
  if (evaluates) return step.evaluation !== undefined && step.evaluation.evaluated === step.sent && step.evaluation.lagMs.p99 < P99_LIMIT_MS;
  return !stores || step.storedMs.p99 < P99_LIMIT_MS;
}

/** The highest step within the bound: its target rate when the generator kept it (within 2%), else what it achieved. */
const bestRate = (results: MeasuredStep[], within: (step: MeasuredStep) => boolean) => {
  const best = results.filter(within).at(-1);
  if (!best) return 0;
  return best.achievedRate >= best.targetRate * 0.98 ? best.targetRate : best.achievedRate;
};
const ratio = (ours: number, peer: number) => (ours && peer ? Math.round((ours / peer) * 100) / 100 : null);

/**
 * The gateway and alerting on a reading log of the bench's own (EVENT_LOG_URL): the same devices and steps as the
 * embedded mode, "stored" taken from the log's subjects, alerting's evaluation watched as in the embedded mode but
 * waited for up to LOG_CATCH_UP_SECONDS after each step (so the next starts with alerting caught up), and the
 * gateway's spool and alerting's log backlog sampled during the step. The API is not started (it takes no part in
 * the steps). The stream is deleted afterwards, whatever happened.
 */
async function readingLogMode(databaseUrl: string, influxUrl: string, devices: DeviceCredential[], firstSeq: number): Promise<ReadingLogReport> {
  const base = { natsUrl: LOG_NATS_URL, partitions: LOG_PARTITIONS, rates: LOG_RATES, steps: [], within: [], gatewayWithin: [], stalled: null, end: null };
  const unavailable = await natsUnavailable(LOG_NATS_URL);
  if (unavailable) {
    say(`reading log: skipped: ${unavailable}`);
    return { ...base, skipped: unavailable, stream: null };
  }
  const log = new BenchReadingLog(LOG_NATS_URL, LOG_PARTITIONS);
  say(`ours, reading log: gateway and alerting on stream ${log.stream} (${LOG_PARTITIONS} partitions) at ${LOG_NATS_URL} ...`);
  const env = await gatewayEnv(databaseUrl, { INFLUX_URL: influxUrl, INFLUX_DATABASE: 'bench_log', DEVICE_MAX_MESSAGES_PER_SECOND: '100000', ...log.env });
  const nodeArgs = (variable: string) => process.env[variable]?.split(' ').filter(Boolean) ?? [];
  let gateway: AppProcess | undefined;
  let alerting: AppProcess | undefined;
  let load: LoadGenerator | undefined;
  let end: ReadingLogReport['end'] = null;
  try {
    gateway = await AppProcess.start('gateway', env.env, env.mqttPort, nodeArgs('BENCH_GATEWAY_NODE_ARGS'));
    const alertingPort = await freePort();
    const alertingMetricsUrl = `http://127.0.0.1:${alertingPort}/metrics`;
    alerting = await AppProcess.start(
      'alerting',
      {
        DATABASE_URL: databaseUrl,
        INFLUX_URL: influxUrl,
        INFLUX_DATABASE: 'bench_log',
        LOG_LEVEL: 'log',
        ALERTING_HTTP_HOST: '127.0.0.1',
        ALERTING_HTTP_PORT: String(alertingPort),
        ...log.env,
      },
      { logLine: 'alerting consumes the reading log' },
      nodeArgs('BENCH_ALERTING_NODE_ARGS'),
    );
    load = await LoadGenerator.connect(env.mqttUrl, devices, await log.observer(), firstSeq);
    // Warm-up, not measured, as in the embedded mode; alerting takes its partitions within a second of starting.
    const warmUp = await load.step(Math.min(1000, 10 * DEVICES), 3);
    const warmDeadline = Date.now() + 60_000;
    while (((await scrapeValue(alertingMetricsUrl, 'rpm_alerting_readings_evaluated_total')) ?? 0) < warmUp.sent && Date.now() < warmDeadline) await sleep(200);
    await sleep(2000);
    const watch = new EvaluationWatch(alertingMetricsUrl);
    const backlog = new BacklogWatch(`${env.httpUrl}/metrics`, alertingMetricsUrl);
    const generator = load;
    const results = await steps(
      'reading log',
      async (rate) => {
        await watch.start();
        backlog.start();
        const step = await generator.step(rate, STEP_SECONDS);
        const evaluation = await watch.finish(step, LOG_CATCH_UP_SECONDS * 1000);
        const caughtUpAt = evaluation.evaluated === step.sent ? Date.now() : null;
        const result = { ...step, evaluation, backlog: backlog.finish(step.scheduledStart + step.sent * step.intervalMs, caughtUpAt) };
        say(
          `reading log ${rate}/s: spool peak ${result.backlog.peakSpoolPending}, alerting backlog peak ${result.backlog.peakAlertingBacklog}; ` +
            `at the step's end spool ${result.backlog.atStepEnd.spoolPending}, alerting ${result.backlog.atStepEnd.alertingBacklog}; ` +
            `caught up ${result.backlog.caughtUpAfterMs === null ? 'not within the wait' : `${result.backlog.caughtUpAfterMs} ms after the last reading`}`,
        );
        return result;
      },
      gatewayWithinBound,
      LOG_RATES,
      () => cpuSnapshot(COMPONENTS, NATS_SERVER),
    );
    const stalledStep = skipped('stall')
      ? null
      : await stalled('reading log', generator, alertingMetricsUrl, new BacklogWatch(`${env.httpUrl}/metrics`, alertingMetricsUrl), () =>
          cpuSnapshot(COMPONENTS, NATS_SERVER),
        );
    // Alerting surveys its log backlog once a second: give the gauge a few seconds to settle at 0.
    const settleDeadline = Date.now() + 5000;
    while (((await scrapeValue(alertingMetricsUrl, 'rpm_alerting_log_unacked_events')) ?? 0) > 0 && Date.now() < settleDeadline) await sleep(250);
    const sent = warmUp.sent + results.reduce((sum, step) => sum + step.sent, 0) + (stalledStep?.sent ?? 0);
    end = {
      sent,
      streamEvents: (await log.messages()) ?? 0,
      evaluated: (await scrapeValue(alertingMetricsUrl, 'rpm_alerting_readings_evaluated_total')) ?? 0,
      alertingBacklog: (await scrapeValue(alertingMetricsUrl, 'rpm_alerting_log_unacked_events')) ?? -1,
      streamDeleted: false,
    };
    say(
      `reading log: the run sent ${end.sent}; the stream holds ${end.streamEvents} events, alerting evaluated ${end.evaluated}, ${end.alertingBacklog} unacknowledged`,
    );
    return {
      ...base,
      skipped: null,
      stream: log.stream,
      steps: results,
      within: results.map((step) => withinBound(step, true, true)),
      gatewayWithin: results.map(gatewayWithinBound),
      stalled: stalledStep,
      end,
    };
  } finally {
    await load?.close();
    await alerting?.stop();
    await gateway?.stop();
    const deleted = await log.delete().catch(() => false);
    if (end) end.streamDeleted = deleted;
    say(`reading log: stream ${log.stream} ${deleted ? 'deleted' : '**not deleted**'}`);
  }
}

/** The stalled-alerting step on the running platform, with the CPU each component used in it. */
async function stalled(
  label: string,
  load: LoadGenerator,
  alertingMetricsUrl: string,
  backlog: BacklogWatch,
  snapshot: () => Record<string, number>,
): Promise<LogModeStep> {
  const [pid] = descendantPids(COMPONENTS.alerting);
  if (pid === undefined) throw new Error('no alerting process to stall');
  say(`${label}: alerting stopped for a ${STALL.seconds} s step at ${STALL.rate}/s, then resumed ...`);
  const before = snapshot();
  const step = await stalledAlertingStep(load, STALL.rate, STALL.seconds, pid, new EvaluationWatch(alertingMetricsUrl), backlog, LOG_CATCH_UP_SECONDS * 1000);
  const result = { ...step, cpuSeconds: cpuBetween(before, snapshot()) };
  say(
    `${label} stalled: PUBACK p50/p99 ${step.pubackMs.p50}/${step.pubackMs.p99} ms, stored ${step.storedEvents} of ${step.sent}, p50/p99 ${step.storedMs.p50}/${step.storedMs.p99} ms, ` +
      `spool peak ${step.backlog.peakSpoolPending}, evaluated ${step.evaluation.evaluated}, lag p50/p99 ${step.evaluation.lagMs.p50}/${step.evaluation.lagMs.p99} ms, ` +
      `caught up ${step.backlog.caughtUpAfterMs ?? 'not'} ms after the last reading; CPU s ${JSON.stringify(result.cpuSeconds)}`,
  );
  return result;
}

/** The gateway's part of the bound: every reading acknowledged with PUBACK p99 < 1 s, stored and announced with p99 < 2 s. */
const gatewayWithinBound = (step: MeasuredStep) => withinBound(step, true);

async function main(): Promise<void> {
  const machine = {
    cpus: cpus().length,
    model: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${osType()} ${release()}`,
    node: process.version,
  };
  const loadAverageAtStart = loadavg().map((value) => Math.round(value * 100) / 100);
  say(`machine: ${JSON.stringify(machine)}; load average ${loadAverageAtStart.join(' ')}`);
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
    // One patient per device, each with the default rules: every reading of the steps is evaluated for its patient.
    const { devices } = await registerPatients(databaseUrl, clinic.careTeamId, DEVICES, 'wearable');

    let aedesSteps: MeasuredStep[] = [];
    if (!skipped('aedes')) {
      say('peer: aedes with a no-op consumer ...');
      const aedesPort = await freePort();
      const aedes = spawn(process.execPath, [path.join(__dirname, 'aedes-noop-broker.js'), String(aedesPort)], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise((resolve) => aedes.stdout!.once('data', resolve));
      const aedesLoad = await LoadGenerator.connect(`mqtt://127.0.0.1:${aedesPort}`, devices);
      aedesSteps = await steps(
        'aedes no-op',
        (rate) => aedesLoad.step(rate, STEP_SECONDS),
        (step) => withinBound(step, false),
      );
      await aedesLoad.close();
      aedes.kill();
    }

    let mosquittoSteps: MeasuredStep[] = [];
    if (!skipped('mosquitto')) {
      say('peer: Mosquitto + subscriber writing to InfluxDB ...');
      const peer = await startMosquittoPeer(devices, influxd.url, databaseUrl);
      const peerLoad = await LoadGenerator.connect(peer.url, devices, peer.observer);
      mosquittoSteps = await steps(
        'mosquitto pipeline',
        (rate) => peerLoad.step(rate, STEP_SECONDS),
        (step) => withinBound(step, true),
      );
      await peerLoad.close();
      await peer.stop();
    }

    say('ours: the platform as npm start runs it: gateway, alerting, API ...');
    const underTest = await gatewayEnv(databaseUrl, {
      INFLUX_URL: influxd.url,
      INFLUX_DATABASE: 'bench',
      DEVICE_MAX_MESSAGES_PER_SECOND: '100000',
    });
    // e.g. BENCH_GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/profile" to see where the gateway spends its time.
    const nodeArgs = (variable: string) => process.env[variable]?.split(' ').filter(Boolean) ?? [];
    const gateway = await AppProcess.start('gateway', underTest.env, underTest.mqttPort, nodeArgs('BENCH_GATEWAY_NODE_ARGS'));

    let fleet: BenchReport['platform']['fleet'] = null;
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

    // Alerting and the API with the environment npm start gives them (scripts/start-platform.ts): the gateway's
    // embedded broker, the internal password, quiet logs, the API's audit checkpoints.
    const alertingPort = await freePort();
    const alertingMetricsUrl = `http://127.0.0.1:${alertingPort}/metrics`;
    // BENCH_SKIP=alerting-app runs the steps without alerting: what the gateway alone does.
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
            ALERTING_HTTP_PORT: String(alertingPort),
          },
          { logLine: 'alerting subscribed to accepted readings' },
          nodeArgs('BENCH_ALERTING_NODE_ARGS'),
        );
    const checkpointDir = mkdtempSync(path.join(tmpdir(), 'rpm-bench-audit-'));
    const apiPort = await freePort();
    const api = skipped('api')
      ? undefined
      : await AppProcess.start(
          'api',
          {
            DATABASE_URL: databaseUrl,
            HTTP_HOST: '127.0.0.1',
            HTTP_PORT: String(apiPort),
            INFLUX_URL: influxd.url,
            INFLUX_DATABASE: 'bench',
            AUDIT_CHECKPOINT_FILE: path.join(checkpointDir, 'audit-checkpoint'),
            AUDIT_CHECKPOINT_KEY: randomUUID() + randomUUID(),
          },
          apiPort,
          nodeArgs('BENCH_API_NODE_ARGS'),
        );

    const load = await LoadGenerator.connect(underTest.mqttUrl, devices, { username: 'service:bench', password: TEST_INTERNAL_PASSWORD });
    const memoryIdleMiB = await gatewayMemoryMiB(underTest.httpUrl);
    // Warm-up, not measured: every patient's rule state built, the hot paths compiled.
    await load.step(Math.min(1000, 10 * DEVICES), 3);
    await sleep(2000);

    let quiet: QuietResult | null = null;
    if (!skipped('quiet')) {
      say(`ours: quiet step, ${QUIET_RATE} readings/s for ${QUIET_SECONDS} s ...`);
      // Nothing scrapes the apps here: the figure is the platform's own cost of a light load.
      await sleep(3000);
      // First no readings at all, with the devices connected: what the timers cost (keepalives, jobs, flushes).
      const idleBefore = cpuSnapshot(COMPONENTS);
      const idleStartedAt = Date.now();
      await sleep(IDLE_SECONDS * 1000);
      const idle = { wallSeconds: (Date.now() - idleStartedAt) / 1000, cpuSeconds: cpuBetween(idleBefore, cpuSnapshot(COMPONENTS), 3) };
      say(`ours: idle: ${JSON.stringify(idle.cpuSeconds)} CPU s in ${idle.wallSeconds} s`);
      const evaluatedBefore = alerting ? await readingsEvaluated(alertingMetricsUrl) : 0;
      const before = cpuSnapshot(COMPONENTS);
      const startedAt = Date.now();
      const step = await load.step(QUIET_RATE, QUIET_SECONDS);
      const wallSeconds = (Date.now() - startedAt) / 1000;
      const cpuSeconds = cpuBetween(before, cpuSnapshot(COMPONENTS), 3);
      const evaluated = alerting ? (await readingsEvaluated(alertingMetricsUrl)) - evaluatedBefore : 0;
      quiet = { rate: QUIET_RATE, wallSeconds, step, evaluated, cpuSeconds, idle, postgresCounted: !process.env.TEST_DATABASE_URL };
      say(
        `ours: quiet: ${platformCpuPercent(quiet)}% of one core (${JSON.stringify(cpuSeconds)} CPU s in ${wallSeconds} s), evaluated ${evaluated} of ${step.sent}`,
      );
    }

    const watch = alerting ? new EvaluationWatch(alertingMetricsUrl) : undefined;
    const ours = skipped('steps')
      ? []
      : await steps(
          'platform',
          async (rate) => {
            await watch?.start();
            const step = await load.step(rate, STEP_SECONDS);
            return { ...step, evaluation: await watch?.finish(step) };
          },
          (step) => withinBound(step, true, Boolean(alerting)),
        );
    const stalledStep =
      alerting && !skipped('stall')
        ? await stalled('platform', load, alertingMetricsUrl, new BacklogWatch(`${underTest.httpUrl}/metrics`, undefined), () => cpuSnapshot(COMPONENTS))
        : null;
    const memoryAfterMiB = await gatewayMemoryMiB(underTest.httpUrl);
    await load.close();

    let alerts: (AlertStepResult & { cpuSeconds: Record<string, number> }) | null = null;
    let burst: (BurstAlertResult & { cpuSeconds: Record<string, number> }) | null = null;
    if (alerting && !skipped('alerts')) {
      say(`ours: publish-to-alert at ${ALERT_RATE}/s over ${ALERT_PATIENTS} patients ...`);
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
    if (alerting && !skipped('burst')) {
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
    await api?.stop();
    await alerting?.stop();
    await gateway.stop();
    rmSync(checkpointDir, { recursive: true, force: true });

    let readingLog: ReadingLogReport | null = null;
    if (MODES.has('log')) {
      readingLog = await readingLogMode(databaseUrl, influxd.url, devices, load.nextSeq);
    }

    const oursWithin = (step: MeasuredStep) => withinBound(step, true, Boolean(alerting));
    const mosquittoWithin = (step: MeasuredStep) => withinBound(step, true);
    const aedesWithin = (step: MeasuredStep) => withinBound(step, false);
    const best = bestRate(ours, oursWithin);
    const report: BenchReport = {
      date: new Date().toISOString(),
      machine,
      settings: {
        rates: RATES,
        stepSeconds: STEP_SECONDS,
        devices: DEVICES,
        p99LimitMs: P99_LIMIT_MS,
        pubackLimitMs: PUBACK_LIMIT_MS,
        loadGeneratorOnSameMachine: true,
        alertRate: ALERT_RATE,
        alertPatients: ALERT_PATIENTS,
        modes: [...MODES],
        alerting: Boolean(alerting),
        api: Boolean(api),
        postgresCounted: !process.env.TEST_DATABASE_URL,
        loadAverageAtStart,
      },
      peers: { rawInfluxPointsPerSecond: rawInflux, aedesNoop: aedesSteps, mosquittoPipeline: mosquittoSteps },
      platform: {
        steps: ours,
        within: ours.map(oursWithin),
        quiet,
        memoryMiB: { idleWithDevicesConnected: memoryIdleMiB, afterLoad: memoryAfterMiB },
        fleet,
        alerts,
        urgentUnderBurst: burst,
        stalled: stalledStep,
      },
      readingLog,
      summary: {
        maxSustainedZeroLossReadingsPerSecond: best,
        mosquittoPipelineMaxZeroLoss: bestRate(mosquittoSteps, mosquittoWithin),
        aedesNoopMax: bestRate(aedesSteps, aedesWithin),
        ratioToMosquittoPipeline: ratio(best, bestRate(mosquittoSteps, mosquittoWithin)),
        ratioToAedesNoop: ratio(best, bestRate(aedesSteps, aedesWithin)),
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
