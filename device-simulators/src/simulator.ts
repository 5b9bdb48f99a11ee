import { createPatientModel, type PatientModel } from './cohort/patient-model';
import { profileFromDeviceKinds, type PatientProfile } from './cohort/patient-profile';
import { groupByPatient, type ProvisionedDevice } from './cohort/simulated-patient';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './physiology/clock';
import { DeviceRunner } from './publishing/device-runner';
import { DeviceScript, type DeviceScenarioPlan } from './publishing/device-script';
import type { OutgoingMessage } from './publishing/outgoing-message';
import { tally, type SimulationCounts } from './publishing/tally';
import { episodesSpanMs, physiologyEpisodes } from './scenarios/physiology-episodes';
import { EXPECTED_ALERTS, type Scenario } from './scenarios/scenario-names';

export interface SimulationOptions {
  brokerUrl: string;
  devices: readonly ProvisionedDevice[];
  seed: string;
  /** History to send first, in days (fractions allowed). */
  days: number;
  /** Readings per batch while backfilling (protocol v1 allows 1-500). */
  batchSize: number;
  scenarios: readonly Scenario[];
  /**
   * Replay the history as single readings at this many times real time instead of sending it as batches;
   * the simulated clock never passes the real one.
   */
  speed?: number;
  /** Keep publishing in real time after the history (until `signal` aborts or `liveForMs` passes). */
  live: boolean;
  liveForMs?: number;
  signal?: AbortSignal;
  /** The real clock; tests may pin it. */
  now?: () => number;
  onBackfillPlanned?: (totalReadings: number) => void;
  onReadingsAcknowledged?: (count: number) => void;
  onLiveTick?: (counts: { readingsSent: number }) => void;
  /** How long to wait after the last PUBACK for late replies. */
  replySettleMs?: number;
  /** How long to wait after the last PUBACK for the receipts of every accepted reading (default 15 s). */
  receiptTimeoutMs?: number;
}

/** What the gateway's receipts said it stored, counted from the receipts rather than from what was sent. */
export interface ReceiptCounts {
  storedNew: number;
  alreadyStored: number;
  quarantined: number;
  /** Readings the gateway accepted (PUBACK, not refused): what the receipts should account for. */
  expected: number;
  /** False when receipts for some accepted readings did not arrive within the timeout. */
  complete: boolean;
  timeoutMs: number;
  /** Receipts left over from an earlier run's session, not counted. */
  stray: number;
}

export interface PatientSummary {
  patientKey: string;
  profile: PatientProfile;
  deviceIds: string[];
  scenarios: Scenario[];
}

export interface SimulationSummary extends SimulationCounts {
  receipts: ReceiptCounts;
  patients: PatientSummary[];
  scenarios: { scenario: Scenario; at?: string; expectedAlerts: string }[];
  window: { from: string; to: string };
}

const LIVE_TICK_MS = 1000;

/** The device-level scenarios of one device; patient and device indexes vary skew direction. */
function devicePlan(scenarios: readonly Scenario[], anchorMs: number, patientIndex: number, deviceIndex: number): DeviceScenarioPlan {
  return {
    // A device offline for 4 h around the anchor that sends what it kept when it is back.
    offline: scenarios.includes('offline-backfill') ? { fromMs: anchorMs - 3 * HOUR_MS, toMs: anchorMs + HOUR_MS } : undefined,
    // The first device of each patient has a wrong clock: 2 h ahead (refused) or 45 min behind (stored, but at the wrong time).
    clockSkew:
      scenarios.includes('clock-skew') && deviceIndex === 0 ? { fromMs: anchorMs, skewMs: patientIndex % 2 === 0 ? 2 * HOUR_MS : -45 * MINUTE_MS } : undefined,
    duplicateEvery: scenarios.includes('duplicates') ? 5 : undefined,
    badPayloads: scenarios.includes('bad-payloads'),
  };
}

/**
 * Runs virtual patients over real MQTT with protocol v1 only: sends `days` of history (batches, or a
 * replay at `speed`), then optionally keeps publishing live, and counts what the gateway did with it all.
 */
export async function runSimulation(options: SimulationOptions): Promise<SimulationSummary> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const windowFrom = startedAt - options.days * DAY_MS;
  const groups = groupByPatient(options.devices).map((group) => ({
    ...group,
    scenarios: [...new Set([...options.scenarios, ...group.devices.flatMap((device) => device.scenarios ?? [])])],
  }));
  const allScenarios = [...new Set(groups.flatMap((group) => group.scenarios))];
  // A patient's scenario episodes end 30 min before now when there is history to hold them, else start in 5 min.
  const anchorFor = (scenarios: readonly Scenario[]) =>
    options.days > 0 ? Math.max(windowFrom, startedAt - episodesSpanMs(scenarios) - 30 * MINUTE_MS) : startedAt + 5 * MINUTE_MS;

  const patients = groups.map((group, patientIndex) => {
    const profile = group.devices.find((device) => device.profile)?.profile ?? profileFromDeviceKinds(group.devices.map((device) => device.kind));
    const anchorMs = anchorFor(group.scenarios);
    const episodes = physiologyEpisodes(group.scenarios, anchorMs);
    const model: PatientModel = createPatientModel(profile, `${options.seed}:${group.patientKey}`, { episodes, referenceMs: startedAt });
    const scripts = group.devices.map(
      (device, deviceIndex) => new DeviceScript(device, model, devicePlan(group.scenarios, anchorMs, patientIndex, deviceIndex), options.batchSize),
    );
    return { ...group, profile, scripts, anchorMs };
  });
  const scripts = patients.flatMap((patient) => patient.scripts);
  const credentials = patients.flatMap((patient) => patient.devices);
  const runners = await connectAll(options.brokerUrl, credentials);
  const acknowledged = (message: OutgoingMessage) => options.onReadingsAcknowledged?.(message.items.length);

  let receipts: ReceiptCounts | undefined;
  try {
    // Opening messages (bad payloads) first, then history.
    let simulatedTo = options.speed ? windowFrom : startedAt;
    const backfill = scripts.map((script) => [
      ...script.openingMessages(startedAt),
      ...(options.speed ? [] : script.messagesFor(windowFrom, startedAt, startedAt, 'batch')),
    ]);
    options.onBackfillPlanned?.(backfill.flat().reduce((sum, message) => sum + message.items.length, 0));
    await Promise.all(runners.map((runner, index) => runner.publish(backfill[index], acknowledged)));

    // A replay at `speed` until the simulated clock reaches the real one, then (with --live) real time.
    const liveUntil = options.liveForMs !== undefined ? startedAt + options.liveForMs : Infinity;
    const streaming = options.speed !== undefined || options.live;
    const realStart = now();
    while (streaming && !options.signal?.aborted) {
      const real = now();
      const replayed = options.speed ? windowFrom + (real - realStart) * options.speed : real;
      const target = Math.min(replayed, real);
      const caughtUp = target >= real - 1;
      if (caughtUp && (!options.live || real >= liveUntil)) {
        if (!options.live) await publishWindow(scripts, runners, simulatedTo, real, real, acknowledged);
        break;
      }
      await publishWindow(scripts, runners, simulatedTo, target, real, acknowledged);
      simulatedTo = target;
      options.onLiveTick?.({ readingsSent: runners.reduce((sum, runner) => sum + runner.sent.reduce((n, m) => n + m.items.length, 0), 0) });
      await sleep(LIVE_TICK_MS, options.signal);
    }
    await sleep(options.replySettleMs ?? 300);
    // A run stopped from outside (Ctrl-C, the launcher shutting down) waits at most 2 s for receipts.
    const receiptTimeoutMs = options.receiptTimeoutMs ?? 15_000;
    receipts = await awaitReceipts(runners, options.signal?.aborted ? Math.min(2000, receiptTimeoutMs) : receiptTimeoutMs);
  } finally {
    await Promise.all(runners.map((runner) => runner.close().catch(() => undefined)));
  }

  const counts = tally(
    runners.flatMap((runner) => runner.sent),
    runners.reduce((sum, runner) => sum + runner.strayReplies, 0),
  );
  return {
    ...counts,
    receipts: receipts!,
    patients: patients.map((patient) => ({
      patientKey: patient.patientKey,
      profile: patient.profile,
      deviceIds: patient.devices.map((device) => device.deviceId),
      scenarios: patient.scenarios,
    })),
    scenarios: allScenarios.map((scenario) => {
      const anchors = patients.filter((patient) => patient.scenarios.includes(scenario)).map((patient) => patient.anchorMs);
      const timed = ['hypo', 'hyper', 'bp-crisis', 'offline-backfill', 'clock-skew'].includes(scenario);
      return { scenario, at: timed ? new Date(Math.min(...anchors)).toISOString() : undefined, expectedAlerts: EXPECTED_ALERTS[scenario] };
    }),
    window: { from: new Date(windowFrom).toISOString(), to: new Date(now()).toISOString() },
  };
}

/**
 * Waits until every device's receipts account for the readings the gateway accepted from it (stored new,
 * already stored or quarantined), or the timeout passes; then sums them.
 */
async function awaitReceipts(runners: readonly DeviceRunner[], timeoutMs: number): Promise<ReceiptCounts> {
  const expected = runners.map((runner) => tally(runner.sent, 0).readingsAccepted);
  const deadline = Date.now() + timeoutMs;
  const complete = () => runners.every((runner, index) => runner.readingsReceipted >= expected[index]);
  while (!complete() && Date.now() < deadline) await sleep(100);
  const sum = (pick: (runner: DeviceRunner) => number) => runners.reduce((total, runner) => total + pick(runner), 0);
  return {
    storedNew: sum((runner) => runner.receipts.storedNew),
    alreadyStored: sum((runner) => runner.receipts.alreadyStored),
    quarantined: sum((runner) => runner.receipts.quarantined),
    expected: expected.reduce((total, count) => total + count, 0),
    complete: complete(),
    timeoutMs,
    stray: sum((runner) => runner.receipts.stray),
  };
}

async function publishWindow(
  scripts: DeviceScript[],
  runners: DeviceRunner[],
  fromMs: number,
  toMs: number,
  nowMs: number,
  acknowledged: (message: OutgoingMessage) => void,
): Promise<void> {
  if (toMs <= fromMs) return;
  await Promise.all(
    scripts.map((script, index) => {
      const messages = script.messagesFor(fromMs, toMs, nowMs, toMs - fromMs > HOUR_MS ? 'batch' : 'single');
      return messages.length ? runners[index].publish(messages, acknowledged) : Promise.resolve();
    }),
  );
}

/** Connects every device; when one fails, closes the others and names the device that failed. */
async function connectAll(brokerUrl: string, devices: readonly ProvisionedDevice[]): Promise<DeviceRunner[]> {
  const results = await Promise.allSettled(devices.map((device) => DeviceRunner.connect(brokerUrl, device)));
  const failed = results.findIndex((result) => result.status === 'rejected');
  if (failed < 0) return results.map((result) => (result as PromiseFulfilledResult<DeviceRunner>).value);
  await Promise.all(results.map((result) => (result.status === 'fulfilled' ? result.value.close().catch(() => undefined) : undefined)));
  const error = (results[failed] as PromiseRejectedResult).reason as Error & { code?: number };
  const refused = error.code === 4 || error.code === 5;
  throw Object.assign(
    new Error(`device ${devices[failed].deviceId} cannot connect to ${brokerUrl}: ${refused ? 'the broker refused its credential' : error.message}`),
    { code: error.code },
  );
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
