import type { NormalizedReading } from '@rpm/contracts';
import type { PredictedLowRule } from './rule-definition.schema';
import { clear, formatNumber, undetermined, type Evaluation } from './rule-outcome';

/**
 * Nightscout's ar2 forecast (lib/plugins/ar2.js): an AR(2) model on log(BG / 140) with coefficients
 * [-0.723, 1.716], stepped in 5-minute intervals from "now" and "5 minutes ago".
 */
const BG_REF = 140;
const AR = [-0.723, 1.716] as const;
const STEP_MINUTES = 5;
/**
 * As Nightscout's bgnow (lib/plugins/bgnow.js): CGM readings fall in 5-minute buckets centred on the newest
 * reading, four of them, so back to 17.5 minutes. "Now" is the mean of the newest bucket, "before" the mean of
 * the next bucket that has readings. The 5-minute delta is scaled from the time between the two buckets' mean
 * times (Nightscout interpolates only beyond 9 minutes): a 1-minute sensor, a 7- or a 12-minute gap all forecast.
 */
const BUCKET_MINUTES = 5;
const BUCKETS = 4;
export const PREDICTED_LOW_LOOKBACK_MINUTES = BUCKET_MINUTES / 2 + (BUCKETS - 1) * BUCKET_MINUTES;

export function forecastGlucose(previous: number, current: number, steps: number): number[] {
  let y = [Math.log(previous / BG_REF), Math.log(current / BG_REF)];
  const forecast: number[] = [];
  for (let step = 0; step < steps; step++) {
    y = [y[1], AR[0] * y[0] + AR[1] * y[1]];
    forecast.push(Math.round(BG_REF * Math.exp(y[1])));
  }
  return forecast;
}

interface Bucket {
  readings: NormalizedReading[];
  mean: number;
  /** Mean measurement time, ms. */
  atMs: number;
}

/** The newest bucket and the previous non-empty one, or null when there is no reading 2.5-17.5 min before the newest. */
export function glucoseBuckets(cgm: readonly NormalizedReading[]): { now: Bucket; before: Bucket } | null {
  if (cgm.length === 0) return null;
  const latestMs = Date.parse(cgm[cgm.length - 1].measuredAt);
  const groups: NormalizedReading[][] = Array.from({ length: BUCKETS }, () => []);
  for (const reading of cgm) {
    const back = (latestMs - Date.parse(reading.measuredAt)) / 60_000;
    if (back < 0 || back > PREDICTED_LOW_LOOKBACK_MINUTES) continue;
    // Bucket i spans 2.5 + 5(i-1) to 2.5 + 5i minutes back; a reading on an edge goes to the newer bucket.
    groups[Math.max(0, Math.ceil((back - BUCKET_MINUTES / 2) / BUCKET_MINUTES))].push(reading);
  }
  const buckets = groups.map((readings) =>
    readings.length === 0
      ? null
      : {
          readings,
          mean: readings.reduce((sum, reading) => sum + reading.values.value, 0) / readings.length,
          atMs: readings.reduce((sum, reading) => sum + Date.parse(reading.measuredAt), 0) / readings.length,
        },
  );
  const before = buckets.slice(1).find((bucket) => bucket !== null);
  return buckets[0] && before ? { now: buckets[0], before } : null;
}

export function evaluatePredictedLow(rule: PredictedLowRule, readings: readonly NormalizedReading[]): Evaluation {
  const cgm = readings.filter((reading) => reading.context.source === 'cgm' && reading.values.value !== undefined);
  const buckets = glucoseBuckets(cgm);
  if (!buckets) return undetermined();
  const { now, before } = buckets;
  const elapsed = (now.atMs - before.atMs) / 60_000;
  const fiveMinutesAgo = now.mean - ((now.mean - before.mean) / elapsed) * STEP_MINUTES;
  if (!(fiveMinutesAgo > 0)) return undetermined();
  const forecast = forecastGlucose(fiveMinutesAgo, now.mean, Math.ceil(rule.horizonMinutes / STEP_MINUTES));
  const lowest = Math.min(...forecast);
  if (lowest > rule.thresholdMgDl + rule.clearMarginMgDl) return clear();
  if (lowest > rule.thresholdMgDl) return undetermined();
  const minutes = (forecast.findIndex((value) => value <= rule.thresholdMgDl) + 1) * STEP_MINUTES;
  const latest = cgm[cgm.length - 1];
  const was =
    Math.abs(elapsed - STEP_MINUTES) < 0.01
      ? `was ${formatNumber(Math.round(before.mean * 10) / 10)} mg/dL 5 min before`
      : `about ${formatNumber(Math.round(fiveMinutesAgo))} mg/dL 5 min before, from readings ${formatNumber(Math.round(elapsed * 10) / 10)} min apart`;
  return {
    state: 'firing',
    reason: `${rule.title}: glucose forecast ${formatNumber(lowest)} mg/dL within ${minutes} min (now ${formatNumber(Math.round(now.mean * 10) / 10)} mg/dL, ${was})`,
    evidence: [...before.readings, ...now.readings],
    since: latest.measuredAt,
  };
}
