import type { GlucoseReading } from '@rpm/contracts';
import { DAY_MS, HOUR_MS, MINUTE_MS, gridTimes, isoUtc, localDayIndex, localHour, localMidnight, type LocalClock } from './clock';
import { applyExcursions, type Excursion } from './excursion';
import { Random, hashNormal, hashUnit, smoothNoise } from './random';
import { recordNumber, type TimedReading } from './timed-reading';

/**
 * Blood glucose of a person with diabetes, in mg/dL, as a pure function of time and seed:
 * overnight baseline + dawn phenomenon + meal responses + slow drift, then episodes (hypos, highs)
 * pulling it towards their target, then sensor noise. Thresholds it is tested against are the
 * docs/clinical-references.md glucose table (70 / 54 mg/dL lows, 180 / 250 mg/dL highs).
 */
export interface GlucoseProfile extends LocalClock {
  seed: string;
  /** Overnight baseline before the dawn rise. */
  fastingMgDl: number;
  /** Early-morning rise from counter-regulatory hormones (dawn phenomenon), peaking around 06:00. */
  dawnRiseMgDl: number;
  /** Range of the post-meal peak above baseline. */
  mealRiseMgDl: readonly [number, number];
  /** Amplitude of slow, unexplained drift (stress, activity, absorption). */
  driftMgDl: number;
  /** Spontaneous hypoglycaemia episodes (too much insulin, missed snack). */
  hypoEpisodesPerWeek: number;
  /** Highs after a missed or late meal bolus. */
  missedBolusPerWeek: number;
  /** Episodes a scenario adds (see scenarios.ts). */
  excursions: readonly Excursion[];
  /** Extra finger-sticks the patient takes to re-check during an episode (meter users). */
  extraMeterChecksMs: readonly number[];
}

interface Meal {
  atMs: number;
  riseMgDl: number;
  peakMinutes: number;
}

interface DayPlan {
  meals: Meal[];
  excursions: Excursion[];
}

/** CGMs report 40-400 mg/dL and show LOW/HIGH outside it (Dexcom G6/G7, Libre). */
const CGM_RANGE: readonly [number, number] = [40, 400];
/** Glucose meters report about 20-600 mg/dL. */
const METER_RANGE: readonly [number, number] = [20, 600];
export const CGM_INTERVAL_MS = 5 * MINUTE_MS;

const clamp = (value: number, [min, max]: readonly [number, number]) => Math.min(max, Math.max(min, value));

export class GlucoseModel {
  private readonly plans = new Map<number, DayPlan>();

  constructor(readonly profile: GlucoseProfile) {}

  /** The day's meals and spontaneous episodes, drawn in a fixed order from a PRNG seeded by the day. */
  plan(day: number): DayPlan {
    const cached = this.plans.get(day);
    if (cached) return cached;
    const { profile } = this;
    const random = new Random(profile.seed, 'glucose-day', day);
    const midnight = localMidnight(day, profile);
    const at = (fromHour: number, toHour: number) => midnight + random.between(fromHour, toHour) * HOUR_MS;
    const meal = (fromHour: number, toHour: number, scale: number): Meal => ({
      atMs: at(fromHour, toHour),
      riseMgDl: random.between(profile.mealRiseMgDl[0], profile.mealRiseMgDl[1]) * scale,
      peakMinutes: random.between(45, 75),
    });
    const meals = [meal(6.75, 8.5, 0.9), meal(12, 13.5, 1), meal(18, 20, 1.1)];
    if (random.chance(0.4)) meals.push(meal(15.5, 16.5, 0.35));
    const excursions: Excursion[] = [];
    if (random.chance(profile.hypoEpisodesPerWeek / 7)) {
      // Nocturnal hypos after evening insulin, or mid-afternoon after the lunch bolus.
      const startMs = random.chance(0.5) ? at(1.5, 4) : at(14.5, 17);
      excursions.push({
        startMs,
        rampMs: random.between(35, 50) * MINUTE_MS,
        holdMs: random.between(15, 30) * MINUTE_MS,
        recoverMs: random.between(25, 40) * MINUTE_MS,
        target: random.between(44, 62),
      });
    }
    if (random.chance(profile.missedBolusPerWeek / 7)) {
      const dinner = meals[2].atMs;
      excursions.push({
        startMs: dinner + 30 * MINUTE_MS,
        rampMs: 90 * MINUTE_MS,
        holdMs: random.between(60, 120) * MINUTE_MS,
        recoverMs: 180 * MINUTE_MS,
        target: random.between(230, 300),
      });
    }
    const plan = { meals, excursions };
    this.plans.set(day, plan);
    return plan;
  }

  /** True (interstitial) glucose without sensor noise, mg/dL. */
  valueAt(timeMs: number): number {
    const { profile } = this;
    const day = localDayIndex(timeMs, profile);
    const hour = localHour(timeMs, profile);
    const dawn = profile.dawnRiseMgDl * Math.exp(-0.5 * ((hour - 6) / 1.3) ** 2);
    let value = profile.fastingMgDl + dawn;
    const yesterday = this.plan(day - 1);
    const today = this.plan(day);
    for (const meal of [...yesterday.meals, ...today.meals]) {
      const x = (timeMs - meal.atMs) / (meal.peakMinutes * MINUTE_MS);
      // A gamma-like response: peaks `riseMgDl` above baseline at the peak time, back near baseline after ~3-4 h.
      if (x > 0 && x < 8) value += meal.riseMgDl * x * Math.exp(1 - x);
    }
    value +=
      profile.driftMgDl * (smoothNoise(timeMs, 3 * HOUR_MS, profile.seed, 'drift') + 0.5 * smoothNoise(timeMs, 50 * MINUTE_MS, profile.seed, 'drift-fast'));
    value = applyExcursions(value, timeMs, [...yesterday.excursions, ...today.excursions, ...profile.excursions]);
    return Math.max(35, value);
  }

  /** Spontaneous and scenario episodes that overlap [fromMs, toMs], for tests and summaries. */
  excursionsBetween(fromMs: number, toMs: number): Excursion[] {
    const first = localDayIndex(fromMs, this.profile) - 1;
    const last = localDayIndex(toMs, this.profile);
    const spontaneous = Array.from({ length: last - first + 1 }, (_, n) => this.plan(first + n).excursions).flat();
    return [...spontaneous, ...this.profile.excursions].filter((excursion) => excursion.startMs <= toMs && excursion.startMs >= fromMs - DAY_MS);
  }
}

/** Dexcom-style arrows from the rate of change, mg/dL/min (docs/clinical-references.md: falling fast is <= -2 mg/dL/min). */
export function trendArrow(ratePerMinute: number): NonNullable<GlucoseReading['trend']> {
  if (ratePerMinute >= 2) return 'rising_fast';
  if (ratePerMinute >= 1) return 'rising';
  if (ratePerMinute <= -2) return 'falling_fast';
  if (ratePerMinute <= -1) return 'falling';
  return 'steady';
}

/** Bounded sensor noise: at most 2.5 SD, so an episode's target is never masked by a single outlier. */
const sensorNoise = (sd: number, ...parts: (string | number)[]) => sd * Math.max(-2.5, Math.min(2.5, hashNormal(...parts)));

/**
 * CGM readings every 5 min in (fromMs, toMs]. The grid has a per-device offset (sensors start at any second),
 * so two CGMs never report in lockstep.
 */
export function cgmReadings(model: GlucoseModel, deviceKey: string, fromMs: number, toMs: number): TimedReading[] {
  const offsetMs = Math.floor(hashUnit(deviceKey, 'cgm-offset') * 300) * 1000;
  return gridTimes(fromMs, toMs, CGM_INTERVAL_MS, offsetMs).map((atMs) => {
    const value = clamp(Math.round(model.valueAt(atMs) + sensorNoise(3, deviceKey, 'cgm', atMs)), CGM_RANGE);
    const rate = (model.valueAt(atMs) - model.valueAt(atMs - CGM_INTERVAL_MS)) / 5;
    const reading: GlucoseReading = {
      metric: 'glucose',
      value,
      unit: 'mg/dL',
      source: 'cgm',
      trend: trendArrow(rate),
      measuredAt: isoUtc(atMs),
      seq: recordNumber(atMs),
    };
    return { atMs, reading };
  });
}

type MealContext = NonNullable<GlucoseReading['mealContext']>;

/** The day's finger-sticks: 1-4 a day, fasting first, then bedtime, before lunch, 2 h after dinner. */
function meterSchedule(model: GlucoseModel, day: number): { atMs: number; context: MealContext }[] {
  const { profile } = model;
  const random = new Random(profile.seed, 'meter-day', day);
  const midnight = localMidnight(day, profile);
  const [breakfast, lunch, dinner] = model.plan(day).meals;
  const candidates: { atMs: number; context: MealContext }[] = [
    { atMs: Math.min(breakfast.atMs - 10 * MINUTE_MS, midnight + random.between(6.5, 7.5) * HOUR_MS), context: 'fasting' },
    { atMs: midnight + random.between(22, 23) * HOUR_MS, context: 'bedtime' },
    { atMs: lunch.atMs - random.between(5, 15) * MINUTE_MS, context: 'before_meal' },
    { atMs: dinner.atMs + random.between(110, 130) * MINUTE_MS, context: 'after_meal' },
  ];
  const count = [1, 2, 2, 3, 3, 4][random.integer(0, 5)];
  return candidates.slice(0, count);
}

/** Finger-stick readings in (fromMs, toMs]: the daily schedule plus re-checks during episodes. */
export function meterReadings(model: GlucoseModel, deviceKey: string, fromMs: number, toMs: number): TimedReading[] {
  const { profile } = model;
  const schedule: { atMs: number; context: MealContext }[] = [];
  for (let day = localDayIndex(fromMs, profile); day <= localDayIndex(toMs, profile); day++) schedule.push(...meterSchedule(model, day));
  for (const atMs of profile.extraMeterChecksMs) schedule.push({ atMs, context: 'unknown' });
  return schedule
    .filter(({ atMs }) => atMs > fromMs && atMs <= toMs)
    .sort((left, right) => left.atMs - right.atMs)
    .map(({ atMs, context }) => {
      const atSecond = Math.floor(atMs / 1000) * 1000;
      // ISO 15197 allows +-15%; a good meter is within about 3% SD.
      const noisy = model.valueAt(atSecond) * (1 + 0.03 * Math.max(-2.5, Math.min(2.5, hashNormal(deviceKey, 'meter', atSecond))));
      const reading: GlucoseReading = {
        metric: 'glucose',
        value: clamp(Math.round(noisy), METER_RANGE),
        unit: 'mg/dL',
        source: 'meter',
        mealContext: context,
        measuredAt: isoUtc(atSecond),
        seq: recordNumber(atSecond),
      };
      return { atMs: atSecond, reading };
    });
}
