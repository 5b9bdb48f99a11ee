import type { AlertStepResult } from './alert-latency';
import type { StepResult } from './load-generator';
import type { BurstAlertResult } from './urgent-under-burst';

export type MeasuredStep = StepResult & { cpuSeconds: Record<string, number> };

export interface BenchReport {
  date: string;
  machine: Record<string, unknown>;
  settings: {
    rates: number[];
    stepSeconds: number;
    devices: number;
    p99LimitMs: number;
    loadGeneratorOnSameMachine: boolean;
    alertRate: number;
    alertPatients: number;
  };
  peers: { rawInfluxPointsPerSecond: number; aedesNoop: MeasuredStep[]; mosquittoPipeline: MeasuredStep[] };
  gateway: {
    steps: MeasuredStep[];
    memoryMiB: { idleWithDevicesConnected: number; afterLoad: number };
    fleet: { devices: number; beforeMiB: number; afterMiB: number; perTenThousandMiB: number; connectSeconds: number } | null;
    alerts: (AlertStepResult & { cpuSeconds: Record<string, number> }) | null;
    urgentUnderBurst: (BurstAlertResult & { cpuSeconds: Record<string, number> }) | null;
  };
  summary: {
    maxSustainedZeroLossReadingsPerSecond: number;
    mosquittoPipelineMaxZeroLoss: number;
    aedesNoopMax: number;
    ratioToMosquittoPipeline: number | null;
    ratioToAedesNoop: number | null;
    ratioToRawInflux: number | null;
  };
}

const TARGETS = { readingsPerSecond: 20_000, ratioToMosquitto: 1.0, alertP99Ms: 250, fleetMiB: 1024 };

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

export function markdown(report: BenchReport): string {
  const { summary, gateway, peers, settings } = report;
  const alerts = gateway.alerts;
  const fleet = gateway.fleet;
  return [
    `# Benchmark ${report.date}`,
    '',
    `Machine: ${JSON.stringify(report.machine)}; load generator, brokers, InfluxDB and PostgreSQL on the same machine; ` +
      `${settings.devices} devices, ${settings.stepSeconds} s per step, QoS 1, bound p99 ${n(settings.p99LimitMs)} ms.`,
    '',
    '| target | measured | verdict |',
    '|---|---|---|',
    `| >= ${n(TARGETS.readingsPerSecond)} readings/s end to end, zero loss | ${n(summary.maxSustainedZeroLossReadingsPerSecond)}/s | ${verdict(summary.maxSustainedZeroLossReadingsPerSecond >= TARGETS.readingsPerSecond * 0.98)} |`,
    `| >= ${TARGETS.ratioToMosquitto}x the Mosquitto + subscriber pipeline | ${times(summary.ratioToMosquittoPipeline)} (${n(summary.maxSustainedZeroLossReadingsPerSecond)} against ${n(summary.mosquittoPipelineMaxZeroLoss)}/s) | ${verdict(summary.ratioToMosquittoPipeline === null ? null : summary.ratioToMosquittoPipeline >= TARGETS.ratioToMosquitto)} |`,
    `| p99 publish-to-alert < ${TARGETS.alertP99Ms} ms at ${n(settings.alertRate)}/s | ${alerts ? `${n(alerts.publishToAlertMs.p99)} ms (${alerts.alertsRaised} of ${alerts.abnormalReadings} alerts)` : 'n/a'} | ${verdict(alerts ? alerts.publishToAlertMs.p99 < TARGETS.alertP99Ms && alerts.alertsRaised === alerts.abnormalReadings : null)} |`,
    `| ${n(10_000)} connected devices < 1 GiB of gateway memory | ${fleet ? `${n(fleet.perTenThousandMiB)} MiB per 10,000` : 'n/a'} | ${verdict(fleet ? fleet.perTenThousandMiB < TARGETS.fleetMiB : null)} |`,
    '',
    `- Max sustained with zero loss (per-device sequence check of stored events) within the bound: **${n(summary.maxSustainedZeroLossReadingsPerSecond)} readings/s**` +
      (settings.rates.at(-1) === summary.maxSustainedZeroLossReadingsPerSecond || summary.maxSustainedZeroLossReadingsPerSecond >= settings.rates.at(-1)! * 0.98
        ? ' (the highest step run: a lower bound)'
        : ''),
    `- Ratios at the highest step within the bound: to the Mosquitto pipeline ${times(summary.ratioToMosquittoPipeline)}, ` +
      `to aedes with a no-op consumer ${times(summary.ratioToAedesNoop)} (${n(summary.aedesNoopMax)}/s), to raw InfluxDB writes ${times(summary.ratioToRawInflux)} (${n(peers.rawInfluxPointsPerSecond)} points/s)`,
    `- Gateway memory: ${gateway.memoryMiB.idleWithDevicesConnected} MiB with the load devices connected, ${gateway.memoryMiB.afterLoad} MiB after the load` +
      (fleet
        ? `; ${fleet.beforeMiB} -> ${fleet.afterMiB} MiB with ${n(fleet.devices)} idle devices connected (in ${fleet.connectSeconds} s, waves of 500)`
        : ''),
    ...(alerts
      ? [
          `- Publish-to-alert at ${n(settings.alertRate)}/s over ${n(settings.alertPatients)} patients (one reading < 54 mg/dL each, the rest in range; latency to the alert_changed NOTIFY): ` +
            `p50/p95/p99/max ${ms(alerts.publishToAlertMs)} ms; that step stored ${n(alerts.step.storedEvents)} of ${n(alerts.step.sent)}, publish-to-stored ${ms(alerts.step.storedMs)} ms; CPU s ${cpu(alerts.cpuSeconds)}`,
        ]
      : []),
    ...(gateway.urgentUnderBurst ? [burstLine(gateway.urgentUnderBurst)] : []),
    '',
    '## Gateway (authentication, validation, spool with fdatasync, InfluxDB, announcement)',
    '',
    ...stepTable(gateway.steps),
    '',
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
