import { ACCEPTED_READINGS_TOPIC, deviceReadingsTopic } from '@rpm/contracts';
import * as hdr from 'hdr-histogram-js';
import { connectAsync, type MqttClient } from 'mqtt';
import type { DeviceCredential } from '../device-simulators/src/simulated-device';

export interface StepResult {
  targetRate: number;
  seconds: number;
  sent: number;
  acknowledged: number;
  storedEvents: number;
  /** Readings whose stored event never arrived (per-device sequence gaps). */
  missing: number;
  achievedRate: number;
  pubackMs: Percentiles;
  storedMs: Percentiles;
  /** The n-th reading of the step was scheduled at scheduledStart + n * intervalMs (ms since the epoch). */
  scheduledStart: number;
  intervalMs: number;
}

export type Payload = (seq: number, at: number, deviceIndex: number, n: number) => string;

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export const percentiles = (histogram: hdr.Histogram): Percentiles => ({
  p50: histogram.getValueAtPercentile(50),
  p95: histogram.getValueAtPercentile(95),
  p99: histogram.getValueAtPercentile(99),
  max: Math.round(histogram.maxValue),
});

/**
 * Open-loop load: readings are scheduled at a constant total rate spread over the devices, and latency
 * is measured from each reading's scheduled send time (so a stalled sender cannot hide queueing: no
 * coordinated omission). "Stored" is when the gateway announces the reading after its store write.
 */
/**
 * Whatever tells the generator that the pipeline stored readings: 'message' events whose payload is an
 * accepted-readings event (an MQTT client on the accepted-readings topic, or bench/reading-log-mode.ts's
 * subscriber on the reading log's subjects).
 */
export interface StoredObserver {
  on(event: 'message', listener: (topic: string, message: Buffer) => void): unknown;
  off(event: 'message', listener: (topic: string, message: Buffer) => void): unknown;
  endAsync(force?: boolean): Promise<unknown>;
}

export class LoadGenerator {
  private seqBase = 0;

  private constructor(
    private readonly devices: { credential: DeviceCredential; client: MqttClient }[],
    private readonly observer: StoredObserver | undefined,
  ) {}

  static async connect(
    brokerUrl: string,
    credentials: DeviceCredential[],
    observer?: { url?: string; username: string; password: string } | StoredObserver,
    /** The first sequence number: above any the same devices sent earlier in the run, through another pipeline. */
    firstSeq = 0,
  ): Promise<LoadGenerator> {
    const devices = [];
    for (const credential of credentials) {
      const client = await connectAsync(brokerUrl, {
        protocolVersion: 4,
        clientId: credential.deviceId,
        username: credential.deviceId,
        password: credential.secret,
        reconnectPeriod: 0,
      });
      devices.push({ credential, client });
    }
    if (observer && 'on' in observer) {
      const generator = new LoadGenerator(devices, observer);
      generator.seqBase = firstSeq;
      return generator;
    }
    const watcher = observer
      ? await connectAsync(observer.url ?? brokerUrl, {
          protocolVersion: 4,
          clientId: `${observer.username}-observer-${process.pid}`,
          username: observer.username,
          password: observer.password,
          reconnectPeriod: 0,
        })
      : undefined;
    if (watcher) await watcher.subscribeAsync(ACCEPTED_READINGS_TOPIC, { qos: 1 });
    const generator = new LoadGenerator(devices, watcher);
    generator.seqBase = firstSeq;
    return generator;
  }

  /** The next sequence number this generator will send. */
  get nextSeq(): number {
    return this.seqBase;
  }

  get deviceCount(): number {
    return this.devices.length;
  }

  /**
   * Publishes `targetRate * seconds` readings, the n-th from device `n % deviceCount`. `payload` gets the
   * reading's sequence number, its scheduled send time, the device's index and n.
   */
  async step(targetRate: number, seconds: number, payload: Payload = defaultPayload): Promise<StepResult> {
    const puback = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000, numberOfSignificantValueDigits: 3 });
    const stored = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000, numberOfSignificantValueDigits: 3 });
    const total = Math.round(targetRate * seconds);
    const scheduledAt = new Map<string, number>();
    const seen = new Set<string>();
    let acknowledged = 0;
    const onEvent = (_topic: string, message: Buffer) => {
      // Only the identity of each reading is needed: no schema validation here, whose CPU would be taken
      // from the pipeline under test on these shared cores.
      const event = JSON.parse(message.toString()) as { readings?: { deviceId: string; seq: number | null }[] };
      const now = Date.now();
      for (const reading of event.readings ?? []) {
        const key = `${reading.deviceId}#${reading.seq}`;
        const at = scheduledAt.get(key);
        if (at === undefined || seen.has(key)) continue;
        seen.add(key);
        stored.recordValue(Math.max(1, now - at));
      }
    };
    this.observer?.on('message', onEvent);
    const base = this.seqBase;
    this.seqBase += total;
    const start = Date.now() + 50;
    const intervalMs = 1000 / targetRate;
    const publishes: Promise<void>[] = [];
    for (let n = 0; n < total; n++) {
      const due = start + n * intervalMs;
      const wait = due - Date.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      const deviceIndex = n % this.devices.length;
      const device = this.devices[deviceIndex];
      const seq = base + n;
      scheduledAt.set(`${device.credential.deviceId}#${seq}`, due);
      publishes.push(
        device.client.publishAsync(deviceReadingsTopic(device.credential.deviceId), payload(seq, due, deviceIndex, n), { qos: 1 }).then(() => {
          acknowledged++;
          puback.recordValue(Math.max(1, Date.now() - due));
        }),
      );
    }
    const sendEnd = Date.now();
    await Promise.race([Promise.all(publishes), new Promise((resolve) => setTimeout(resolve, 30_000))]);
    const deadline = Date.now() + 30_000;
    while (this.observer && seen.size < total && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    this.observer?.off('message', onEvent);
    return {
      targetRate,
      seconds,
      sent: total,
      acknowledged,
      storedEvents: seen.size,
      missing: this.observer ? total - seen.size : 0,
      achievedRate: Math.round(total / ((sendEnd - start) / 1000)),
      pubackMs: percentiles(puback),
      storedMs: percentiles(stored),
      scheduledStart: start,
      intervalMs,
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.devices.map(({ client }) => client.endAsync(true)), this.observer?.endAsync(true)]);
  }
}

function defaultPayload(seq: number, at: number): string {
  return JSON.stringify({ metric: 'heart_rate', value: 60 + (seq % 60), unit: 'bpm', measuredAt: new Date(at - 60_000).toISOString(), seq });
}
