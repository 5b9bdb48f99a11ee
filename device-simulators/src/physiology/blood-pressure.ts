import type { BloodPressureReading } from '@rpm/contracts';
import { DAY_MS, HOUR_MS, MINUTE_MS, isoUtc, localDayIndex, localMidnight, type LocalClock } from './clock';
import { Random, hashNormal, smoothNoise } from './random';
import { recordNumber, type TimedReading } from './timed-reading';

/**
 * Home blood pressure, mmHg, following the home protocol in docs/clinical-references.md: two readings one minute apart,
 * morning and evening (Hypertension Canada, ESH). Values drift slowly over days (medication, salt, season)
 * around the patient's usual level; mornings run a little higher (morning surge).
 */
export interface BloodPressureProfile extends LocalClock {
  seed: string;
  systolic: number;
  diastolic: number;
  pulse: number;
  /** Share of sessions the patient actually measures. */
  adherence: number;
  /** Amplitude of the slow, multi-day drift of systolic pressure (diastolic moves about half as much). */
  driftMmHg: number;
  /** Starts of hypertensive crises a scenario adds: > 180/120 (docs/clinical-references.md), re-measured after 5 min. */
  crisesMs: readonly number[];
}

export const PAIR_GAP_MS = MINUTE_MS;
/** docs/clinical-references.md: in a crisis, re-measure after 5 min. */
export const CRISIS_RECHECK_MS = 5 * MINUTE_MS;

interface Session {
  atMs: number;
  morning: boolean;
}

function sessions(profile: BloodPressureProfile, day: number): Session[] {
  const random = new Random(profile.seed, 'bp-day', day);
  const midnight = localMidnight(day, profile);
  const morning = { atMs: midnight + random.between(6.5, 8) * HOUR_MS, morning: true };
  const evening = { atMs: midnight + random.between(20, 22) * HOUR_MS, morning: false };
  return [morning, evening].filter(() => random.chance(profile.adherence));
}

const round = (value: number) => Math.round(value);

function reading(atMs: number, systolic: number, diastolic: number, pulse: number): TimedReading {
  const bp: BloodPressureReading = {
    metric: 'blood_pressure',
    systolic: round(systolic),
    diastolic: round(Math.min(diastolic, systolic - 15)),
    pulse: round(pulse),
    unit: 'mmHg',
    measuredAt: isoUtc(atMs),
    seq: recordNumber(atMs),
  };
  return { atMs, reading: bp };
}

/** The patient's usual pressure at an instant: level + slow drift + morning surge. */
export function usualPressure(profile: BloodPressureProfile, atMs: number, morning: boolean): { systolic: number; diastolic: number; pulse: number } {
  const drift = profile.driftMmHg * smoothNoise(atMs, 4 * DAY_MS, profile.seed, 'bp-drift');
  const surge = morning ? 4 : 0;
  return {
    systolic: profile.systolic + drift + surge,
    diastolic: profile.diastolic + drift / 2 + surge / 2,
    pulse: profile.pulse + (morning ? 3 : 0),
  };
}

/** Morning and evening pairs, plus any crisis with its re-measurement, taken in (fromMs, toMs]. */
export function bloodPressureReadings(profile: BloodPressureProfile, deviceKey: string, fromMs: number, toMs: number): TimedReading[] {
  const readings: TimedReading[] = [];
  for (let day = localDayIndex(fromMs, profile) - 1; day <= localDayIndex(toMs, profile); day++) {
    for (const session of sessions(profile, day)) {
      const first = Math.floor(session.atMs / 1000) * 1000;
      const usual = usualPressure(profile, first, session.morning);
      const noise = (label: string, sd: number) => sd * Math.max(-2.5, Math.min(2.5, hashNormal(deviceKey, label, first)));
      const systolic = usual.systolic + noise('sys', 6);
      const diastolic = usual.diastolic + noise('dia', 4);
      const pulse = usual.pulse + noise('pulse', 4);
      readings.push(reading(first, systolic, diastolic, pulse));
      // The second reading of a pair is usually a little lower (the white-coat part of the first fades).
      readings.push(reading(first + PAIR_GAP_MS, systolic - 3 + noise('sys2', 2), diastolic - 1.5 + noise('dia2', 1.5), pulse - 2 + noise('pulse2', 2)));
    }
  }
  for (const crisisMs of profile.crisesMs) {
    const first = Math.floor(crisisMs / 1000) * 1000;
    const jitter = (label: string) => Math.abs(hashNormal(deviceKey, 'crisis', label, first)) * 3;
    readings.push(reading(first, 192 + jitter('s1'), 124 + jitter('d1'), profile.pulse + 12));
    readings.push(reading(first + PAIR_GAP_MS, 189 + jitter('s2'), 123 + jitter('d2'), profile.pulse + 11));
    readings.push(reading(first + CRISIS_RECHECK_MS, 186 + jitter('s3'), 122 + jitter('d3'), profile.pulse + 10));
  }
  return readings.filter(({ atMs }) => atMs > fromMs && atMs <= toMs).sort((left, right) => left.atMs - right.atMs);
}
