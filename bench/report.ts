import type { AlertStepResult } from './alert-latency';
import type { StepResult } from './load-generator';
import type { EvaluationResult } from './evaluation-watch';
import type { BacklogResult } from './reading-log-mode';
import { PLATFORM_COMPONENTS } from './process-cpu';
import type { BurstAlertResult } from './urgent-under-burst';

export type MeasuredStep = StepResult & { cpuSeconds: Record<string, number>; evaluation?: EvaluationResult };

export interface QuietResult {
  rate: number;
  wallSeconds: number;
  step: StepResult;
  evaluated: number;
  cpuSeconds: Record<string, number>;
  /** The same devices connected and sending nothing, just before. */
  idle: { wallSeconds: number; cpuSeconds: Record<string, number> };
  /** False when PostgreSQL is TEST_DATABASE_URL's, whose CPU the bench cannot attribute. */
  postgresCounted: boolean;
}

export type LogModeStep = MeasuredStep & { backlog: BacklogResult };

/** The gateway and alerting on the bench's own reading log (EVENT_LOG_URL), beside the embedded mode. */
export interface ReadingLogReport {
  /** Why the mode was not measured (NATS not reachable), or null. */
  skipped: string | null;
  natsUrl: string;
  /** The bench's own stream, deleted afterwards. */
  stream: string | null;
  partitions: number;
  rates: number[];
  steps: LogModeStep[];
  /** The whole bound, evaluation included, as for the embedded mode. */
  within: boolean[];
  /** The gateway's part: acknowledged with PUBACK p99 < 1 s, stored and announced with p99 < 2 s. The series stops on it. */
  gatewayWithin: boolean[];
  /** Alerting stopped for a whole step and resumed after it. */
  stalled: LogModeStep | null;
  /** After the last step: readings sent in the mode (warm-up included), events in the stream, readings alerting evaluated. */
  end: { sent: number; streamEvents: number; evaluated: number; alertingBacklog: number; streamDeleted: boolean } | null;
}

export interface BenchReport {
  date: string;
  machine: Record<string, unknown>;
  settings: {
    rates: number[];
    stepSeconds: number;
    devices: number;
    p99LimitMs: number;
    pubackLimitMs: number;
    loadGeneratorOnSameMachine: boolean;
    alertRate: number;
    alertPatients: number;
    modes: string[];
    alerting: boolean;
    api: boolean;
    postgresCounted: boolean;
    loadAverageAtStart: number[];
  };
  peers: { rawInfluxPointsPerSecond: number; aedesNoop: MeasuredStep[]; mosquittoPipeline: MeasuredStep[] };
  platform: {
    steps: MeasuredStep[];
    /** Whether each step was within the bound. */
    within: boolean[];
    quiet: QuietResult | null;
    memoryMiB: { idleWithDevicesConnected: number; afterLoad: number };
    fleet: { devices: number; beforeMiB: number; afterMiB: number; perTenThousandMiB: number; connectSeconds: number } | null;
    alerts: (AlertStepResult & { cpuSeconds: Record<string, number> }) | null;
    urgentUnderBurst: (BurstAlertResult & { cpuSeconds: Record<string, number> }) | null;
    /** Alerting stopped for a whole step and resumed after it (its backlog has no alerting figure in this mode). */
    stalled: LogModeStep | null;
  };
  summary: {
    maxSustainedZeroLossReadingsPerSecond: number;
    mosquittoPipelineMaxZeroLoss: number;
    aedesNoopMax: number;
    ratioToMosquittoPipeline: number | null;
    ratioToAedesNoop: number | null;
    ratioToRawInflux: number | null;
  };
  readingLog: ReadingLogReport | null;
}

/** CPU seconds of the platform's own processes (not the load generator's, nor a peer's). */
export function platformCpuSeconds(cpuSeconds: Record<string, number>): number {
  return PLATFORM_COMPONENTS.reduce((sum, component) => sum + (cpuSeconds[component] ?? 0), 0);
}

/** The quiet step's platform CPU as a percentage of one core. */
export function platformCpuPercent(quiet: QuietResult): number {
  return Math.round((platformCpuSeconds(quiet.cpuSeconds) / quiet.wallSeconds) * 1000) / 10;
}

const TARGETS = { readingsPerSecond: 20_000, ratioToMosquitto: 1.0, alertP99Ms: 250, quietCpuPercent: 3, quietRate: 10, fleetMiB: 1024 };

const n = (value: number) => value.toLocaleString('en-US');

function burstLine({ settings, burst, during, after, cpuSeconds }: BurstAlertResult & { cpuSeconds: Record<string, number> }): string {
  const phase = (urgent: BurstAlertResult['during']) =>
    `p50/p99 **${n(urgent.publishToAlertMs.p50)}/${n(urgent.publishToAlertMs.p99)} ms** (max ${n(urgent.publishToAlertMs.max)}; ${urgent.raised} of ${urgent.sent} raised)`;
  return (
    `- Urgent lows under dense streams (${n(settings.wearables)} wearables at 1 Hz, then a burst of ${n(settings.burstRate)} readings/s for ${settings.burstSeconds} s; ` +
    `publish-to-alert to the alert_changed NOTIFY): during the burst ${phase(during)}, after it ${phase(after)}; the burst stored ${n(burst.storedEvents)} of ${n(burst.sent)}, ` +
    `publish-to-stored p99 ${n(burst.storedMs.p99)} ms; CPU s ${Object.entries(cpuSeconds)
      .map(([name, seconds]) => `${name} ${seconds}`)
      .join(', ')}`
  );
}
const ms = (p: { p50: number; p95: number; p99: number; max: number }) => `${n(p.p50)}/${n(p.p95)}/${n(p.p99)}/${n(p.max)}`;
const cpu = (seconds: Record<string, number>) =>
  Object.entries(seconds)
    .sort(([, a], [, b]) => b - a)
    .map(([label, value]) => `${label} ${value}`)
    .join(', ');
const times = (value: number | null) => (value === null ? 'n/a' : `${value.toFixed(2)}x`);
const verdict = (holds: boolean | null) => (holds === null ? 'not measured' : holds ? 'holds' : '**misses**');

function stepTable(steps: MeasuredStep[]): string[] {
  return [
    '| target/s | achieved/s | sent | acknowledged | stored | PUBACK ms p50/p95/p99/max | stored ms p50/p95/p99/max | CPU s in the step |',
    '|---|---|---|---|---|---|---|---|',
    ...steps.map(
      (step) =>
        `| ${n(step.targetRate)} | ${n(step.achievedRate)} | ${n(step.sent)} | ${n(step.acknowledged)} | ${step.storedEvents ? n(step.storedEvents) : '-'} | ${ms(step.pubackMs)} | ${step.storedEvents ? ms(step.storedMs) : '-'} | ${cpu(step.cpuSeconds)} |`,
    ),
  ];
}

const p50p99 = (p: { p50: number; p99: number }) => `${n(p.p50)}/${n(p.p99)}`;
const perReadingMs = (seconds: number, readings: number) => (readings ? ((seconds * 1000) / readings).toFixed(3) : '-');

function platformTable(steps: MeasuredStep[], within: boolean[]): string[] {
  const components = PLATFORM_COMPONENTS.filter((component) => steps.some((step) => step.cpuSeconds[component]));
  return [
    `| target/s | achieved/s | sent | acknowledged | stored | evaluated | PUBACK ms p50/p99 | stored ms p50/p99 | evaluation lag ms p50/p99 | within | CPU s ${components.join(' / ')} | platform CPU ms per reading | load generator CPU s |`,
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...steps.map(
      (step, index) =>
        `| ${n(step.targetRate)} | ${n(step.achievedRate)} | ${n(step.sent)} | ${n(step.acknowledged)} | ${n(step.storedEvents)} | ${step.evaluation ? n(step.evaluation.evaluated) : '-'} | ` +
        `${p50p99(step.pubackMs)} | ${p50p99(step.storedMs)} | ${step.evaluation ? p50p99(step.evaluation.lagMs) : '-'} | ${within[index] ? 'yes' : '**no**'} | ` +
        `${components.map((component) => step.cpuSeconds[component] ?? 0).join(' / ')} | ${perReadingMs(platformCpuSeconds(step.cpuSeconds), step.sent)} | ${step.cpuSeconds['load generator'] ?? 0} |`,
    ),
  ];
}

function quietTable(quiet: QuietResult): string[] {
  const components = PLATFORM_COMPONENTS.filter((component) => component !== 'postgres' || quiet.postgresCounted);
  return [
    `| component | CPU s in ${quiet.wallSeconds.toFixed(1)} s | % of one core at ${quiet.rate}/s | % of one core idle (${quiet.idle.wallSeconds.toFixed(0)} s, no readings) | ms CPU per reading above idle |`,
    '|---|---|---|---|---|',
    ...components.map((component) => {
      const seconds = quiet.cpuSeconds[component] ?? 0;
      const idlePercent = ((quiet.idle.cpuSeconds[component] ?? 0) / quiet.idle.wallSeconds) * 100;
      const aboveIdle = seconds - (idlePercent / 100) * quiet.wallSeconds;
      return `| ${component} | ${seconds.toFixed(2)} | ${((seconds / quiet.wallSeconds) * 100).toFixed(2)} | ${idlePercent.toFixed(2)} | ${perReadingMs(aboveIdle, quiet.step.sent)} |`;
    }),
    (() => {
      const seconds = platformCpuSeconds(quiet.cpuSeconds);
      const idlePercent = (platformCpuSeconds(quiet.idle.cpuSeconds) / quiet.idle.wallSeconds) * 100;
      const aboveIdle = seconds - (idlePercent / 100) * quiet.wallSeconds;
      return `| **platform** | **${seconds.toFixed(2)}** | **${platformCpuPercent(quiet).toFixed(1)}** | **${idlePercent.toFixed(1)}** | ${perReadingMs(aboveIdle, quiet.step.sent)} |`;
    })(),
  ];
}

const LOG_CPU = [...PLATFORM_COMPONENTS, 'nats-server'];

/** Both modes at the reading log's rates, one row per mode and rate. */
function modesSection(report: BenchReport): string[] {
  const log = report.readingLog;
  const title = '## Embedded and reading-log modes side by side (issue 15 item 4)';
  if (!log) return [title, '', `Reading-log mode not run: BENCH_MODES=${report.settings.modes.join(',')}.`, '', ...stalledTable(report)];
  if (log.skipped)
    return [
      title,
      '',
      `**Reading-log mode skipped**: ${log.skipped}. Set BENCH_NATS_URL to a NATS server with JetStream to measure it.`,
      '',
      ...stalledTable(report),
    ];
  const limit = report.settings.p99LimitMs;
  const embedded = report.platform.steps
    .map((step, index) => ({ step, within: report.platform.within[index] }))
    .filter(({ step }) => log.rates.includes(step.targetRate));
  const rows = [
    ...embedded.map(({ step, within }) => ({
      mode: 'embedded',
      step,
      backlog: undefined as BacklogResult | undefined,
      gateway: undefined as boolean | undefined,
      within,
    })),
    ...log.steps.map((step, index) => ({ mode: 'reading log', step, backlog: step.backlog, gateway: log.gatewayWithin[index], within: log.within[index] })),
  ].sort((a, b) => a.step.targetRate - b.step.targetRate || a.mode.localeCompare(b.mode));
  const components = LOG_CPU.filter((component) => rows.some(({ step }) => step.cpuSeconds[component]));
  const ahead = (row: (typeof rows)[number]) => {
    if (row.gateway === undefined) return '-';
    const lagged = !row.step.evaluation || row.step.evaluation.lagMs.p99 >= limit || row.step.evaluation.evaluated < row.step.sent;
    if (!row.gateway) return '**no**';
    return lagged ? '**yes, alerting lagged**' : 'yes (alerting kept up)';
  };
  const backlog = (value: BacklogResult | undefined, pick: (b: BacklogResult) => [number | null, number | null]) =>
    value
      ? pick(value)
          .map((count) => (count === null ? '-' : n(count)))
          .join(' / ')
      : '-';
  return [
    title,
    '',
    `The reading-log mode runs the gateway and one alerting instance with \`EVENT_LOG_URL\` on a stream of the bench's own ` +
      `(\`${log.stream}\`, ${log.partitions} partitions, at ${log.natsUrl}; deleted afterwards: ${log.end?.streamDeleted ? 'yes' : '**no**'}), same devices and payloads, no API. ` +
      'Stored: when the reading reached the log (a plain subscription to its subjects). After each step the bench waits for alerting to evaluate the whole step, ' +
      'so the evaluation lag is the real one however long it is, and the next step starts with alerting caught up. ' +
      'nats-server is the machine-wide process, counted from /proc: its CPU includes any other client of it during the step.',
    '',
    `| mode | target/s | achieved/s | PUBACK ms p50/p99 | stored of sent | stored ms p50/p99 | evaluated | evaluation lag ms p50/p99 | gateway spool peak / at step end | alerting log backlog peak / at step end (gauge) | alerting caught up (ms after last reading) | drain ahead | within: gateway / whole | CPU s ${components.join(' / ')} |`,
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.mode} | ${n(row.step.targetRate)} | ${n(row.step.achievedRate)} | ${p50p99(row.step.pubackMs)} | ${n(row.step.storedEvents)} of ${n(row.step.sent)} | ${p50p99(row.step.storedMs)} | ` +
        `${row.step.evaluation ? n(row.step.evaluation.evaluated) : '-'} | ${row.step.evaluation ? p50p99(row.step.evaluation.lagMs) : '-'} | ` +
        `${backlog(row.backlog, (b) => [b.peakSpoolPending, b.atStepEnd.spoolPending])} | ${backlog(row.backlog, (b) => [b.peakAlertingBacklog, b.atStepEnd.alertingBacklog])} | ` +
        `${row.backlog ? (row.backlog.caughtUpAfterMs === null ? '**not in the wait**' : n(row.backlog.caughtUpAfterMs)) : '-'} | ${ahead(row)} | ` +
        `${row.gateway === undefined ? '-' : row.gateway ? 'yes' : '**no**'} / ${row.within ? 'yes' : '**no**'} | ${components.map((component) => row.step.cpuSeconds[component] ?? 0).join(' / ')} |`,
    ),
    '',
    ...stalledTable(report),
    ...(log.end
      ? [
          `After the last step: ${n(log.end.sent)} readings sent in this mode (warm-up included), ${n(log.end.streamEvents)} events in the stream, ` +
            `${n(log.end.evaluated)} evaluated by alerting, ${n(log.end.alertingBacklog)} unacknowledged.`,
          '',
        ]
      : []),
  ];
}

/** The stalled-alerting step of each mode: the devices' and the drain's view while alerting does nothing at all. */
function stalledTable(report: BenchReport): string[] {
  const rows = [
    ['embedded', report.platform.stalled],
    ['reading log', report.readingLog?.stalled ?? null],
  ].filter((row): row is [string, LogModeStep] => row[1] !== null);
  if (rows.length === 0) return [];
  const components = LOG_CPU.filter((component) => rows.some(([, step]) => step.cpuSeconds[component]));
  return [
    `Alerting stopped (SIGSTOP) for a whole step, then resumed (SIGCONT): the slow consumer at its slowest. ` +
      'The drain stayed ahead when every reading was stored (and announced) about as fast as in a step with alerting running. ' +
      "Alerting's log-backlog gauge cannot be read while alerting is stopped: its peak is what alerting reported once resumed (it surveys the log once a second).",
    '',
    `| mode | target/s for s | PUBACK ms p50/p99 | stored of sent | stored ms p50/p99 | gateway spool peak | alerting log backlog peak (gauge, once resumed) | evaluated | evaluation lag ms p50/p99 | alerting caught up (ms after last reading) | CPU s ${components.join(' / ')} |`,
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      ([mode, step]) =>
        `| ${mode} | ${n(step.targetRate)} for ${step.seconds} | ${p50p99(step.pubackMs)} | ${n(step.storedEvents)} of ${n(step.sent)} | ${p50p99(step.storedMs)} | ${n(step.backlog.peakSpoolPending)} | ` +
        `${step.backlog.peakAlertingBacklog === null ? '-' : n(step.backlog.peakAlertingBacklog)} | ${step.evaluation ? n(step.evaluation.evaluated) : '-'} | ${step.evaluation ? p50p99(step.evaluation.lagMs) : '-'} | ` +
        `${step.backlog.caughtUpAfterMs === null ? '**not in the wait**' : n(step.backlog.caughtUpAfterMs)} | ${components.map((component) => step.cpuSeconds[component] ?? 0).join(' / ')} |`,
    ),
    '',
  ];
}

export function markdown(report: BenchReport): string {
  const { summary, platform, peers, settings, machine } = report;
  const alerts = platform.alerts;
  const fleet = platform.fleet;
  const quiet = platform.quiet;
  const best = summary.maxSustainedZeroLossReadingsPerSecond;
  const bestStep = platform.steps.filter((_, index) => platform.within[index]).at(-1);
  const firstMiss = platform.steps.find((_, index) => !platform.within[index]);
  const why = (step: MeasuredStep) =>
    [
      step.acknowledged < step.sent ? `${n(step.sent - step.acknowledged)} not acknowledged` : '',
      step.storedEvents < step.sent ? `${n(step.sent - step.storedEvents)} not stored` : '',
      step.evaluation && step.evaluation.evaluated < step.sent ? `${n(step.sent - step.evaluation.evaluated)} not evaluated in 30 s` : '',
      step.pubackMs.p99 >= settings.pubackLimitMs ? `PUBACK p99 ${n(step.pubackMs.p99)} ms` : '',
      step.evaluation && step.evaluation.lagMs.p99 >= settings.p99LimitMs ? `evaluation lag p99 ${n(step.evaluation.lagMs.p99)} ms` : '',
    ]
      .filter(Boolean)
      .join(', ');
  return [
    `# Benchmark ${report.date}`,
    '',
    `Machine: ${String(machine.model)}, ${String(machine.cpus)} cores, ${String(machine.memoryGiB)} GiB, ${String(machine.os)}, Node ${String(machine.node)}; ` +
      `load average ${settings.loadAverageAtStart.join(' ')} when the bench started. The load generator, the platform, the peers, InfluxDB and PostgreSQL share these cores. ` +
      `Ours is the platform as \`npm start\` runs it: the gateway, ${settings.alerting ? 'alerting (default rules, every reading evaluated)' : '**no alerting**'} and ${settings.api ? 'the API' : '**no API**'}; ` +
      `${settings.devices} devices (one patient each), ${settings.stepSeconds} s per step, QoS 1. Within bound: zero loss, PUBACK p99 < ${n(settings.pubackLimitMs)} ms, ` +
      `p99 < ${n(settings.p99LimitMs)} ms to the last stage (evaluated for ours, stored for the Mosquitto pipeline).` +
      (settings.postgresCounted ? '' : ' PostgreSQL is TEST_DATABASE_URL: its CPU is not counted.'),
    '',
    '## Targets',
    '',
    '| target | measured | verdict |',
    '|---|---|---|',
    `| >= ${n(TARGETS.readingsPerSecond)} readings/s end to end within bound | ${n(best)}/s${bestStep?.evaluation ? ` (evaluation lag p99 ${n(bestStep.evaluation.lagMs.p99)} ms, PUBACK p99 ${n(bestStep.pubackMs.p99)} ms)` : ''}${firstMiss ? `; ${n(firstMiss.targetRate)}/s: ${why(firstMiss)}` : ''} | ${verdict(best >= TARGETS.readingsPerSecond * 0.98)} |`,
    `| p99 publish-to-alert < ${TARGETS.alertP99Ms} ms at ${n(settings.alertRate)}/s | ${alerts ? `${n(alerts.publishToAlertMs.p99)} ms (${alerts.alertsRaised} of ${alerts.abnormalReadings} alerts)` : 'n/a'} | ${verdict(alerts ? alerts.publishToAlertMs.p99 < TARGETS.alertP99Ms && alerts.alertsRaised === alerts.abnormalReadings : null)} |`,
    `| total platform CPU at ${TARGETS.quietRate} readings/s < ${TARGETS.quietCpuPercent}% of one core | ${quiet ? `${platformCpuPercent(quiet)}% (${quiet.evaluated} of ${quiet.step.sent} evaluated)` : 'n/a'} | ${verdict(quiet ? platformCpuPercent(quiet) < TARGETS.quietCpuPercent : null)} |`,
    `| ${n(10_000)} idle devices < 1 GiB of gateway memory | ${fleet ? `${n(fleet.perTenThousandMiB)} MiB per 10,000 (${fleet.beforeMiB} -> ${fleet.afterMiB} MiB)` : 'n/a'} | ${verdict(fleet ? fleet.perTenThousandMiB < TARGETS.fleetMiB : null)} |`,
    `| >= ${TARGETS.ratioToMosquitto}x the Mosquitto + subscriber pipeline (same run, same bound) | ${times(summary.ratioToMosquittoPipeline)} (${n(best)} against ${n(summary.mosquittoPipelineMaxZeroLoss)}/s) | ${verdict(summary.ratioToMosquittoPipeline === null ? null : summary.ratioToMosquittoPipeline >= TARGETS.ratioToMosquitto)} |`,
    '',
    `- Highest step within the bound: **${n(best)} readings/s**` +
      (best >= settings.rates.at(-1)! * 0.98 ? ' (the highest step run: a lower bound)' : '') +
      `. Ratios at the highest step within the bound, same run: to the Mosquitto pipeline ${times(summary.ratioToMosquittoPipeline)}, ` +
      `to aedes with a no-op consumer ${times(summary.ratioToAedesNoop)} (${n(summary.aedesNoopMax)}/s), to raw InfluxDB writes ${times(summary.ratioToRawInflux)} (${n(peers.rawInfluxPointsPerSecond)} points/s)`,
    `- Gateway memory: ${platform.memoryMiB.idleWithDevicesConnected} MiB with the load devices connected, ${platform.memoryMiB.afterLoad} MiB after the load` +
      (fleet
        ? `; ${fleet.beforeMiB} -> ${fleet.afterMiB} MiB with ${n(fleet.devices)} idle devices connected (in ${fleet.connectSeconds} s, waves of 500)`
        : ''),
    ...(alerts
      ? [
          `- Publish-to-alert at ${n(settings.alertRate)}/s over ${n(settings.alertPatients)} patients (one reading < 54 mg/dL each, the rest in range; latency to the alert_changed NOTIFY): ` +
            `p50/p95/p99/max ${ms(alerts.publishToAlertMs)} ms; that step stored ${n(alerts.step.storedEvents)} of ${n(alerts.step.sent)}, publish-to-stored ${ms(alerts.step.storedMs)} ms; CPU s ${cpu(alerts.cpuSeconds)}`,
        ]
      : []),
    ...(platform.urgentUnderBurst ? [burstLine(platform.urgentUnderBurst)] : []),
    '',
    '## Ours: the platform (gateway, alerting, API; InfluxDB, PostgreSQL)',
    '',
    ...platformTable(platform.steps, platform.within),
    '',
    ...modesSection(report),
    ...(quiet
      ? [
          `## Quiet: ${quiet.rate} readings/s for ${quiet.step.seconds} s (nothing scraping the apps)`,
          '',
          `Sent ${n(quiet.step.sent)}, acknowledged ${n(quiet.step.acknowledged)}, stored ${n(quiet.step.storedEvents)}, evaluated ${n(quiet.evaluated)}; ` +
            `PUBACK p50/p99 ${p50p99(quiet.step.pubackMs)} ms, stored p50/p99 ${p50p99(quiet.step.storedMs)} ms.`,
          '',
          ...quietTable(quiet),
          '',
        ]
      : []),
    '## Peer: Mosquitto 2 (queues raised) + minimal subscriber writing to InfluxDB through the same adapter',
    '',
    ...stepTable(peers.mosquittoPipeline),
    '',
    '## Peer: aedes, no-op consumer (no storage: PUBACK only)',
    '',
    ...stepTable(peers.aedesNoop),
    '',
  ].join('\n');
}
