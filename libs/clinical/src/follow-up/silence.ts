/**
 * A patient who stops uploading: judged per device against its own cadence (DEVICE_READINGS_PER_DAY) over the
 * pathway's silence window for its kind (`silence` in the template; docs/follow-up-pathways.md, "No data").
 * Pure: the caller gathers each device's recent reading times. The outcome is a worklist item for the
 * follow-up nurse, raised once per silence, never a change of tier.
 */
import type { PathwayTemplate } from '../pathways/pathway-template';
import { DEVICE_READINGS_PER_DAY } from './follow-up-policy';

const DAY = 86_400_000;

/** One device's uploads as the assessment sees them. */
export interface DeviceUploads {
  deviceId: string;
  kind: string;
  pairedAt: Date;
  /** Its readings' measurement times, at least over the longest silence window. */
  readingTimes: readonly Date[];
  /** Its latest reading, when known (it may be older than the reading times given). */
  lastReadingAt: Date | null;
}

export interface SilentDevice {
  deviceId: string;
  kind: string;
  days: number;
  expected: number;
  received: number;
  lastReadingAt: Date | null;
}

export interface Silence {
  /** The latest reading of the silent devices (their pairing when they never sent one): "no readings since". */
  since: Date;
  devices: SilentDevice[];
  /** The worklist item's sentence. */
  reason: string;
}

const KIND_LABEL: Record<string, string> = {
  cgm: 'CGM',
  blood_pressure_cuff: 'blood pressure cuff',
  glucose_meter: 'glucose meter',
  pulse_oximeter: 'pulse oximeter',
  wearable: 'wearable',
};
const isoDay = (at: Date) => at.toISOString().slice(0, 10);

/**
 * The devices that sent nothing, or less than `belowPercent`% of their cadence, over the last `days` of their
 * kind; null when none has. A device paired less than its window ago, or of a kind without a window or a
 * cadence (a hub), is not judged.
 */
export function detectSilence(template: PathwayTemplate, devices: readonly DeviceUploads[], now: Date): Silence | null {
  const rule = template.silence;
  if (!rule) return null;
  const silent: SilentDevice[] = [];
  for (const device of devices) {
    const days = rule.afterDays[device.kind];
    const perDay = DEVICE_READINGS_PER_DAY[device.kind];
    if (!days || !perDay || now.getTime() - device.pairedAt.getTime() < days * DAY) continue;
    const from = now.getTime() - days * DAY;
    const received = device.readingTimes.filter((at) => at.getTime() > from && at.getTime() <= now.getTime()).length;
    const expected = perDay * days;
    if ((received / expected) * 100 >= rule.belowPercent) continue;
    silent.push({ deviceId: device.deviceId, kind: device.kind, days, expected, received, lastReadingAt: device.lastReadingAt });
  }
  if (silent.length === 0) return null;
  const pairedAt = new Map(devices.map((device) => [device.deviceId, device.pairedAt]));
  const since = new Date(Math.max(...silent.map((device) => (device.lastReadingAt ?? pairedAt.get(device.deviceId)!).getTime())));
  return { since, devices: silent, reason: reasonOf(since, silent) };
}

function reasonOf(since: Date, devices: readonly SilentDevice[]): string {
  const detail = devices
    .map((device) => `${KIND_LABEL[device.kind] ?? device.kind} ${device.received} of ${device.expected} expected in ${device.days} days`)
    .join('; ');
  return `check on the patient: no readings since ${isoDay(since)} (${detail})`;
}

/**
 * The same silence seen again after its last reading has left the span the assessment reads (30 days): the
 * devices then look silent since their pairing, but the record knows better. Readings only move "since" later.
 */
export function continuedSilence(silence: Silence, recordedSince: Date | null): Silence {
  if (!recordedSince || recordedSince.getTime() <= silence.since.getTime()) return silence;
  return { ...silence, since: recordedSince, reason: reasonOf(recordedSince, silence.devices) };
}

/** What the follow-up record holds about the patient's silences. */
export interface SilenceRecord {
  /** A silence was raised and readings have not resumed since (its task may have been closed by a contact). */
  raisedAndNotResumed: boolean;
  /** When a contact last closed that silence's item (null: the item is still open, or nothing is on record). */
  closedByContactAt?: Date | null;
}

export type SilenceAction = 'raise' | 'resumed' | null;

/**
 * Once per silence, and again while it outlasts the nurse's call: raise when the devices are silent and no
 * silence is on record; raise again when a contact closed the item and a whole window (the shortest of the
 * silent devices') has passed since without readings (the patient was reached but nothing came of it); record
 * that readings resumed when they are no longer silent and a silence is on record (which also closes its open
 * worklist item). An item still open is never raised twice.
 */
export function silenceAction(silence: Silence | null, record: SilenceRecord, now?: Date): SilenceAction {
  if (silence && !record.raisedAndNotResumed) return 'raise';
  if (silence && record.closedByContactAt && now) {
    const windowDays = Math.min(...silence.devices.map((device) => device.days));
    if (now.getTime() - record.closedByContactAt.getTime() >= windowDays * DAY) return 'raise';
  }
  if (!silence && record.raisedAndNotResumed) return 'resumed';
  return null;
}
