import type { NormalizedReading } from '@rpm/contracts';
import type { PredictedLowRule } from './rule-definition.schema';
import { clear, formatNumber, minutesBetween, undetermined, type Evaluation } from './rule-outcome';

/**
 * Nightscout's ar2 forecast: an AR(2) model on log(BG / 140) with coefficients [-0.723, 1.716], stepped
 * in 5-minute intervals from the last two CGM readings. Needs two readings 4 to 6 minutes apart.
 */
const BG_REF = 140;
const AR = [-0.723, 1.716] as const;
const STEP_MINUTES = 5;

export function forecastGlucose(previous: number, current: number, steps: number): number[] {
  let y = [Math.log(previous / BG_REF), Math.log(current / BG_REF)];
  const forecast: number[] = [];
  for (let step = 0; step < steps; step++) {
    y = [y[1], AR[0] * y[0] + AR[1] * y[1]];
    forecast.push(Math.round(BG_REF * Math.exp(y[1])));
  }
  return forecast;
}

export function evaluatePredictedLow(rule: PredictedLowRule, readings: readonly NormalizedReading[]): Evaluation {
  const cgm = readings.filter((reading) => reading.context.source === 'cgm');
  if (cgm.length < 2) return undetermined();
  const [previous, current] = cgm.slice(-2);
  const gap = minutesBetween(previous.measuredAt, current.measuredAt);
  if (gap < 4 || gap > 6) return undetermined();
  const forecast = forecastGlucose(previous.values.value, current.values.value, Math.ceil(rule.horizonMinutes / STEP_MINUTES));
  const lowest = Math.min(...forecast);
  if (lowest > rule.thresholdMgDl + rule.clearMarginMgDl) return clear();
  if (lowest > rule.thresholdMgDl) return undetermined();
  const minutes = (forecast.findIndex((value) => value <= rule.thresholdMgDl) + 1) * STEP_MINUTES;
  return {
    state: 'firing',
    reason: `${rule.title}: glucose forecast ${formatNumber(lowest)} mg/dL within ${minutes} min (now ${formatNumber(current.values.value)} mg/dL, was ${formatNumber(previous.values.value)} 5 min before)`,
    evidence: [previous, current],
    since: current.measuredAt,
  };
}
