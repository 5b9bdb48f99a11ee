import * as hdr from 'hdr-histogram-js';
import { Client } from 'pg';
import type { DeviceCredential } from '../device-simulators/src/simulated-device';
import { registerPatients } from './urgent-under-burst';
import { percentiles, type LoadGenerator, type Percentiles, type StepResult } from './load-generator';

export interface AlertPatients {
  patientIds: string[];
  /** devices[i] is patient i's glucose meter. */
  devices: DeviceCredential[];
}

export interface AlertStepResult {
  step: StepResult;
  abnormalReadings: number;
  alertsRaised: number;
  publishToAlertMs: Percentiles;
}

/** `count` patients in one care team, each with one glucose meter, straight into PostgreSQL. */
export function registerAlertPatients(databaseUrl: string, careTeamId: string, count: number): Promise<AlertPatients> {
  return registerPatients(databaseUrl, careTeamId, count, 'glucose_meter');
}

const WARM_UP_SECONDS = 5;

/**
 * One load step of glucose readings in which each patient sends exactly one reading below 54 mg/dL (ADA
 * level 2 hypoglycaemia, an urgent alert) at a time spread evenly over the step, and in-range readings
 * otherwise. The alert's moment is its PostgreSQL NOTIFY on alert_changed, which PostgreSQL delivers when
 * the inserting transaction commits: the moment the alert exists for the API and its live stream.
 * Latency runs from the abnormal reading's scheduled send time to that notification.
 */
export async function alertStep(databaseUrl: string, load: LoadGenerator, patients: AlertPatients, rate: number, seconds: number): Promise<AlertStepResult> {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 300_000, numberOfSignificantValueDigits: 3 });
  const abnormalAt = new Map<string, number>();
  const raised = new Set<string>();
  const listener = new Client({ connectionString: databaseUrl });
  await listener.connect();
  listener.on('notification', (message) => {
    const change = JSON.parse(message.payload ?? '{}') as { patientId?: string; status?: string };
    const at = change.patientId ? abnormalAt.get(change.patientId) : undefined;
    if (change.status !== 'open' || at === undefined || raised.has(change.patientId!)) return;
    raised.add(change.patientId!);
    histogram.recordValue(Math.max(1, Date.now() - at));
  });
  await listener.query('LISTEN alert_changed');
  const rounds = Math.max(1, Math.floor((rate * seconds) / load.deviceCount));
  const glucose = (seq: number, at: number, value: number) =>
    JSON.stringify({ metric: 'glucose', value, unit: 'mg/dL', source: 'meter', measuredAt: new Date(at - 60_000).toISOString(), seq });
  try {
    // Warm-up, not measured: five seconds of in-range readings at the step's rate (at least two per patient),
    // so the step measures the steady state: alerting has seen each patient lately rather than starting with
    // one store query each, and both processes have compiled their hot paths (a fresh process's first
    // second at 5,000/s alone put p99 over 300 ms).
    await load.step(rate, Math.max(WARM_UP_SECONDS, (2 * load.deviceCount) / rate), (seq, at) => glucose(seq, at, 100 + (seq % 20)));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const step = await load.step(rate, seconds, (seq, at, deviceIndex, n) => {
      // Patient d's abnormal reading is in round d mod rounds: the same number of them in every round.
      const abnormal = Math.floor(n / load.deviceCount) === deviceIndex % rounds;
      if (abnormal) abnormalAt.set(patients.patientIds[deviceIndex], at);
      return glucose(seq, at, abnormal ? 48 : 100 + (seq % 20));
    });
    const deadline = Date.now() + 60_000;
    while (raised.size < abnormalAt.size && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    return { step, abnormalReadings: abnormalAt.size, alertsRaised: raised.size, publishToAlertMs: percentiles(histogram) };
  } finally {
    await listener.end();
  }
}
