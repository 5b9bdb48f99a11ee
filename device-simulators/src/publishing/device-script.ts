import { MAX_BATCH_SIZE, MAX_FUTURE_SKEW_MS, type DeviceReading } from '@rpm/contracts';
import { deviceReadings, type PatientModel } from '../cohort/patient-model';
import type { DeviceKind } from '../cohort/device-kind';
import { DAY_MS, isoUtc } from '../physiology/clock';
import type { TimedReading } from '../physiology/timed-reading';
import { badPayloadMessages } from './bad-payloads';
import { readingKey, type OutgoingMessage } from './outgoing-message';

/** How the device-level scenarios play out for one device. */
export interface DeviceScenarioPlan {
  /** offline-backfill: readings taken in (fromMs, toMs] are kept on the device and sent as a batch after. */
  offline?: { fromMs: number; toMs: number };
  /** clock-skew: from `fromMs` on, the device clock is `skewMs` off (ahead when positive). */
  clockSkew?: { fromMs: number; skewMs: number };
  /** duplicates: the first message and every `duplicateEvery`-th after it are sent twice (a lost PUBACK). */
  duplicateEvery?: number;
  badPayloads?: boolean;
}

export interface ScriptedDevice {
  deviceId: string;
  kind: DeviceKind;
}

/**
 * Turns what a device measures into the messages it publishes, applying the device-level scenarios.
 * It keeps the state a real device keeps between calls (readings held while offline, its message count),
 * so a backfill and the live run after it can call it window after window.
 */
export class DeviceScript {
  private held: TimedReading[] = [];
  private messageCount = 0;

  constructor(
    readonly device: ScriptedDevice,
    private readonly patient: PatientModel,
    private readonly plan: DeviceScenarioPlan,
    private readonly batchSize: number,
  ) {
    if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) throw new Error(`batch size must be 1-${MAX_BATCH_SIZE}`);
  }

  /** Messages for the readings taken in (fromMs, toMs]: batches of `batchSize`, or one message per reading. */
  messagesFor(fromMs: number, toMs: number, nowMs: number, mode: 'batch' | 'single'): OutgoingMessage[] {
    const taken = deviceReadings(this.patient, this.device.kind, this.device.deviceId, fromMs, toMs);
    const { offline } = this.plan;
    const runs: { readings: TimedReading[]; label: OutgoingMessage['label'] }[] = [];
    let current: TimedReading[] = [];
    const releaseHeld = () => {
      if (this.held.length === 0) return;
      if (current.length) runs.push({ readings: current, label: 'readings' });
      runs.push({ readings: this.held, label: 'offline-backfill' });
      [current, this.held] = [[], []];
    };
    for (const reading of taken) {
      if (offline && reading.atMs > offline.fromMs && reading.atMs <= offline.toMs) {
        this.held.push(reading);
        continue;
      }
      if (offline && reading.atMs > offline.toMs) releaseHeld();
      current.push(reading);
    }
    if (offline && toMs > offline.toMs) releaseHeld();
    if (current.length) runs.push({ readings: current, label: 'readings' });

    const messages: OutgoingMessage[] = [];
    for (const run of runs) {
      // A device back online sends what it kept in batches whatever the mode, oldest first (protocol v1).
      const size = mode === 'single' && run.label === 'readings' ? 1 : run.label === 'offline-backfill' ? MAX_BATCH_SIZE : this.batchSize;
      for (let start = 0; start < run.readings.length; start += size) {
        const message = this.message(run.readings.slice(start, start + size), run.label, nowMs);
        messages.push(message);
        this.messageCount++;
        if (this.plan.duplicateEvery && (this.messageCount - 1) % this.plan.duplicateEvery === 0) messages.push({ ...message, label: 'duplicate' });
      }
    }
    return messages;
  }

  /** The bad-payloads scenario's messages, around the device's latest genuine reading before `nowMs`. */
  openingMessages(nowMs: number): OutgoingMessage[] {
    if (!this.plan.badPayloads) return [];
    const recent = deviceReadings(this.patient, this.device.kind, this.device.deviceId, nowMs - 2 * DAY_MS, nowMs).at(-1);
    if (!recent) return [];
    const sample = this.asSent(recent);
    return badPayloadMessages(sample, readingKey(this.device.deviceId, sample.metric, sample.measuredAt, sample.seq));
  }

  /** Readings kept while offline and not sent yet (a run that ends inside the gap). */
  get heldCount(): number {
    return this.held.length;
  }

  /** The reading as the device sends it: its measuredAt comes from the device clock, which may be off. */
  private asSent({ atMs, reading }: TimedReading): DeviceReading {
    const skew = this.plan.clockSkew;
    return skew && atMs >= skew.fromMs ? { ...reading, measuredAt: isoUtc(atMs + skew.skewMs) } : reading;
  }

  private message(readings: TimedReading[], label: OutgoingMessage['label'], nowMs: number): OutgoingMessage {
    const sent = readings.map((timed) => this.asSent(timed));
    const items = sent.map((reading) => ({
      metric: reading.metric,
      key: readingKey(this.device.deviceId, reading.metric, reading.measuredAt, reading.seq),
      // The gateway refuses a measuredAt more than 5 min ahead of its clock (docs/device-protocol.md).
      expected: Date.parse(reading.measuredAt) - nowMs > MAX_FUTURE_SKEW_MS ? ('future_timestamp' as const) : undefined,
    }));
    const payload = JSON.stringify(sent.length === 1 && label !== 'offline-backfill' ? sent[0] : { readings: sent });
    return { payload, items, label };
  }
}
