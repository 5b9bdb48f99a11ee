import type { DeviceReading, RejectionCode } from '@rpm/contracts';
import { kPaToMmHg, mmolPerLToMgPerDl } from './units';

export interface NormalizedValues {
  unit: string;
  values: Record<string, number>;
  original: { unit: string; values: Record<string, number> };
  context: Record<string, string>;
}

export type NormalizeResult = { ok: true; reading: NormalizedValues } | { ok: false; code: RejectionCode; message: string };

/**
 * Plausible ranges in canonical units: values outside them are a device or entry fault, not a patient
 * state (meters read about 20-600 mg/dL; cuffs about 40-300 mmHg).
 */
export const PLAUSIBLE_RANGES = {
  glucose: { value: [10, 1000] },
  blood_pressure: { systolic: [40, 300], diastolic: [20, 200], pulse: [20, 300] },
  heart_rate: { value: [20, 300] },
  spo2: { value: [50, 100] },
  steps: { value: [0, 100_000] },
} as const satisfies Record<DeviceReading['metric'], Record<string, readonly [number, number]>>;

const CANONICAL_UNIT: Record<DeviceReading['metric'], string> = {
  glucose: 'mg/dL',
  blood_pressure: 'mmHg',
  heart_rate: 'bpm',
  spo2: '%',
  steps: 'steps',
};

function pickDefined(entries: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(entries)) if (value !== undefined) out[key] = value;
  return out;
}

function convert(reading: DeviceReading): NormalizedValues {
  switch (reading.metric) {
    case 'glucose': {
      const value = reading.unit === 'mmol/L' ? mmolPerLToMgPerDl(reading.value) : reading.value;
      return {
        unit: CANONICAL_UNIT.glucose,
        values: { value },
        original: { unit: reading.unit, values: { value: reading.value } },
        context: pickDefined({ source: reading.source, mealContext: reading.mealContext, trend: reading.trend }),
      };
    }
    case 'blood_pressure': {
      const toMmHg = reading.unit === 'kPa' ? kPaToMmHg : (v: number) => v;
      const original: Record<string, number> = { systolic: reading.systolic, diastolic: reading.diastolic };
      const values: Record<string, number> = { systolic: toMmHg(reading.systolic), diastolic: toMmHg(reading.diastolic) };
      if (reading.pulse !== undefined) values.pulse = original.pulse = reading.pulse;
      return { unit: CANONICAL_UNIT.blood_pressure, values, original: { unit: reading.unit, values: original }, context: {} };
    }
    case 'steps': {
      return {
        unit: CANONICAL_UNIT.steps,
        values: { value: reading.value },
        original: { unit: reading.unit, values: { value: reading.value } },
        context: pickDefined({ periodSeconds: reading.periodSeconds?.toString() }),
      };
    }
    case 'heart_rate':
    case 'spo2':
      return {
        unit: CANONICAL_UNIT[reading.metric],
        values: { value: reading.value },
        original: { unit: reading.unit, values: { value: reading.value } },
        context: {},
      };
  }
}

/** Converts a validated device reading to canonical units and checks it is physiologically plausible. */
export function normalizeReading(reading: DeviceReading): NormalizeResult {
  const normalized = convert(reading);
  const ranges: Record<string, readonly [number, number]> = PLAUSIBLE_RANGES[reading.metric];
  for (const [field, value] of Object.entries(normalized.values)) {
    const range = ranges[field];
    if (range && (value < range[0] || value > range[1])) {
      return {
        ok: false,
        code: 'out_of_range',
        message: `${reading.metric} ${field} ${value} ${normalized.unit} is outside the plausible range ${range[0]}-${range[1]}`,
      };
    }
  }
  if (reading.metric === 'blood_pressure' && normalized.values.systolic <= normalized.values.diastolic) {
    return { ok: false, code: 'out_of_range', message: 'blood_pressure systolic must be above diastolic' };
  }
  return { ok: true, reading: normalized };
}
