import type { DeviceReading } from '@rpm/contracts';
import { DAY_MS, HOUR_MS, MINUTE_MS, gridTimes, isoUtc, localDayIndex, localHour, localMidnight, type LocalClock } from './clock';
import { Random, hashNormal, hashUnit } from './random';
import { recordNumber, type TimedReading } from './timed-reading';

/**
 * A wrist wearable: heart rate every 10 min (higher while active), SpO2 every 30 min, steps per hour.
 * Values stay inside the unremarkable NEWS2 / oximetry bands of docs/clinical-references.md (resting HR 51-110, SpO2 >= 95%)
 * unless a scenario says otherwise. After surgery activity grows day by day and resting HR settles.
 */
export interface WearableProfile extends LocalClock {
  seed: string;
  restingHeartRate: number;
  /** Usual saturation; 95-99% for healthy lungs (BTS 2017 target 94-98%). */
  spo2Baseline: number;
  /** Walks a day on a full-recovery day. */
  walksPerDay: number;
  /** Day of surgery, for the recovery curve; absent for a patient not recovering from surgery. */
  surgeryMs?: number;
}

export const HEART_RATE_INTERVAL_MS = 10 * MINUTE_MS;
export const SPO2_INTERVAL_MS = 30 * MINUTE_MS;
export const STEPS_INTERVAL_MS = HOUR_MS;
/** Activity is modelled in 5-minute slots; hourly steps are the sum of twelve. */
const SLOT_MS = 5 * MINUTE_MS;

type Activity = 'asleep' | 'awake' | 'walking';

/** 0.3 on the day of surgery rising to 1 after two weeks; 1 without surgery. */
export function recoveryFactor(profile: WearableProfile, atMs: number): number {
  if (profile.surgeryMs === undefined) return 1;
  const days = Math.max(0, (atMs - profile.surgeryMs) / DAY_MS);
  return Math.min(1, 0.3 + 0.05 * days);
}

function walks(profile: WearableProfile, day: number): { startMs: number; endMs: number }[] {
  const random = new Random(profile.seed, 'walks', day);
  const midnight = localMidnight(day, profile);
  const recovery = recoveryFactor(profile, midnight + 12 * HOUR_MS);
  const count = Math.max(1, Math.round(profile.walksPerDay * recovery + random.between(-0.5, 0.5)));
  return Array.from({ length: count }, () => {
    const startMs = midnight + random.between(9, 19) * HOUR_MS;
    return { startMs, endMs: startMs + random.between(15, 40) * recovery * MINUTE_MS };
  });
}

export function activityAt(profile: WearableProfile, atMs: number): Activity {
  const hour = localHour(atMs, profile);
  if (hour < 6.75 || hour >= 23) return 'asleep';
  const day = localDayIndex(atMs, profile);
  return walks(profile, day).some((walk) => atMs >= walk.startMs && atMs < walk.endMs) ? 'walking' : 'awake';
}

function restingRate(profile: WearableProfile, atMs: number): number {
  // Resting HR runs about 10 bpm high just after surgery (pain, anaemia, deconditioning) and settles.
  return profile.restingHeartRate + (10 * (1 - recoveryFactor(profile, atMs))) / 0.7;
}

export function heartRateAt(profile: WearableProfile, deviceKey: string, atMs: number): number {
  const activity = activityAt(profile, atMs);
  const resting = restingRate(profile, atMs);
  const effort = activity === 'walking' ? 22 + 12 * recoveryFactor(profile, atMs) : activity === 'awake' ? 6 : -7;
  const noise = 2.5 * Math.max(-2.5, Math.min(2.5, hashNormal(deviceKey, 'hr', atMs)));
  // Kept below the 111 bpm NEWS2 warning band: a brisk walk is not an alert.
  return Math.round(Math.min(108, Math.max(48, resting + effort + noise)));
}

export function spo2At(profile: WearableProfile, deviceKey: string, atMs: number): number {
  const asleep = activityAt(profile, atMs) === 'asleep';
  const noise = 0.8 * Math.max(-2.5, Math.min(2.5, hashNormal(deviceKey, 'spo2', atMs)));
  // Saturation dips about 1% in sleep; stays >= 95%, above the 94% warning of docs/clinical-references.md.
  return Math.round(Math.min(100, Math.max(95, profile.spo2Baseline - (asleep ? 1 : 0) + noise)));
}

function stepsInSlot(profile: WearableProfile, deviceKey: string, slotStartMs: number): number {
  const activity = activityAt(profile, slotStartMs);
  if (activity === 'asleep') return 0;
  const unit = hashUnit(deviceKey, 'steps', slotStartMs);
  // About 80-110 steps a minute walking; pottering about the house is a few dozen per 5 minutes.
  if (activity === 'walking') return Math.round((400 + 150 * unit) * recoveryFactor(profile, slotStartMs));
  return Math.round(10 + 70 * unit * recoveryFactor(profile, slotStartMs));
}

/** Steps over the hour that ends at `endMs`. */
export function stepsInHour(profile: WearableProfile, deviceKey: string, endMs: number): number {
  let steps = 0;
  for (let slot = endMs - HOUR_MS; slot < endMs; slot += SLOT_MS) steps += stepsInSlot(profile, deviceKey, slot);
  return steps;
}

/** Heart rate, SpO2 and hourly steps in (fromMs, toMs], oldest first. */
export function wearableReadings(profile: WearableProfile, deviceKey: string, fromMs: number, toMs: number): TimedReading[] {
  const offsetMs = Math.floor(hashUnit(deviceKey, 'wearable-offset') * 60) * 1000;
  const timed = (atMs: number, reading: DeviceReading): TimedReading => ({ atMs, reading });
  const heartRates = gridTimes(fromMs, toMs, HEART_RATE_INTERVAL_MS, offsetMs).map((atMs) =>
    timed(atMs, { metric: 'heart_rate', value: heartRateAt(profile, deviceKey, atMs), unit: 'bpm', measuredAt: isoUtc(atMs), seq: recordNumber(atMs) }),
  );
  const saturations = gridTimes(fromMs, toMs, SPO2_INTERVAL_MS, offsetMs + 30_000).map((atMs) =>
    timed(atMs, { metric: 'spo2', value: spo2At(profile, deviceKey, atMs), unit: '%', measuredAt: isoUtc(atMs), seq: recordNumber(atMs) }),
  );
  const steps = gridTimes(fromMs, toMs, STEPS_INTERVAL_MS).map((atMs) =>
    timed(atMs, {
      metric: 'steps',
      value: stepsInHour(profile, deviceKey, atMs),
      unit: 'steps',
      periodSeconds: 3600,
      measuredAt: isoUtc(atMs),
      seq: recordNumber(atMs),
    }),
  );
  return [...heartRates, ...saturations, ...steps].sort((left, right) => left.atMs - right.atMs);
}
