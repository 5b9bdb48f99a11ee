import type { NormalizedReading } from '@rpm/contracts';

export interface GlucoseSummary {
  readings: number;
  meanMgDl: number;
  /** Coefficient of variation, %: target <= 36 (Battelino 2019). */
  cvPercent: number;
  /** Glucose management indicator, %: 3.31 + 0.02392 x mean mg/dL (Bergenstal 2018). */
  gmiPercent: number;
  /** Time in ranges, % of readings: TIR 70-180, below 70 and 54, above 180 and 250. */
  tir: number;
  tbr70: number;
  tbr54: number;
  tar180: number;
  tar250: number;
}

const percent = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10);
const round1 = (value: number) => Math.round(value * 10) / 10;

/** Consensus CGM metrics (Battelino 2019, Diabetes Care 42:1593) over the given glucose readings (mg/dL). */
export function summarizeGlucose(readings: readonly NormalizedReading[]): GlucoseSummary | null {
  const values = readings.map((reading) => reading.values.value).filter((value): value is number => value !== undefined);
  if (values.length === 0) return null;
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1) : 0;
  const count = (predicate: (value: number) => boolean) => values.filter(predicate).length;
  return {
    readings: values.length,
    meanMgDl: round1(mean),
    cvPercent: round1((Math.sqrt(variance) / mean) * 100),
    gmiPercent: Math.round((3.31 + 0.02392 * mean) * 100) / 100,
    tir: percent(
      count((value) => value >= 70 && value <= 180),
      values.length,
    ),
    tbr70: percent(
      count((value) => value < 70),
      values.length,
    ),
    tbr54: percent(
      count((value) => value < 54),
      values.length,
    ),
    tar180: percent(
      count((value) => value > 180),
      values.length,
    ),
    tar250: percent(
      count((value) => value > 250),
      values.length,
    ),
  };
}
