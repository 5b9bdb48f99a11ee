import type { DeviceReading } from '@rpm/contracts';
import { normalizeReading, PLAUSIBLE_RANGES, type NormalizedValues } from './normalize-reading';

const measuredAt = '2026-11-22T07:30:00Z';
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Payload = DistributiveOmit<DeviceReading, 'measuredAt'>;
const device = (payload: Payload): DeviceReading => ({ ...payload, measuredAt }) as DeviceReading;

const UNITS = 'docs/clinical-references.md "Units and codes" (18.0156 mg/dL per mmol/L; 7.50062 mmHg per kPa)';

describe('normalizeReading: canonical units, original kept', () => {
  it.each<[string, Payload, NormalizedValues, string]>([
    [
      'glucose meter, mg/dL, fasting',
      { metric: 'glucose', value: 112, unit: 'mg/dL', source: 'meter', mealContext: 'fasting' },
      { unit: 'mg/dL', values: { value: 112 }, original: { unit: 'mg/dL', values: { value: 112 } }, context: { source: 'meter', mealContext: 'fasting' } },
      'LOINC 41653-7 glucose by glucometer; UCUM mg/dL',
    ],
    [
      'glucose meter, mmol/L, after meal',
      { metric: 'glucose', value: 6.2, unit: 'mmol/L', source: 'meter', mealContext: 'after_meal' },
      {
        unit: 'mg/dL',
        values: { value: 111.7 },
        original: { unit: 'mmol/L', values: { value: 6.2 } },
        context: { source: 'meter', mealContext: 'after_meal' },
      },
      UNITS, // 6.2 x 18.0156 = 111.69672
    ],
    [
      'glucose CGM, mg/dL, trend arrow',
      { metric: 'glucose', value: 148, unit: 'mg/dL', source: 'cgm', trend: 'falling' },
      { unit: 'mg/dL', values: { value: 148 }, original: { unit: 'mg/dL', values: { value: 148 } }, context: { source: 'cgm', trend: 'falling' } },
      'LOINC 99504-3 CGM glucose (mass)',
    ],
    [
      'glucose CGM, mmol/L, all context',
      { metric: 'glucose', value: 3.9, unit: 'mmol/L', source: 'cgm', trend: 'falling_fast', mealContext: 'unknown' },
      {
        unit: 'mg/dL',
        values: { value: 70.3 },
        original: { unit: 'mmol/L', values: { value: 3.9 } },
        context: { source: 'cgm', mealContext: 'unknown', trend: 'falling_fast' },
      },
      'LOINC 105272-9 CGM glucose (molar); ' + UNITS, // 70.26084
    ],
    [
      'glucose CGM, no optional context',
      { metric: 'glucose', value: 13.9, unit: 'mmol/L', source: 'cgm' },
      { unit: 'mg/dL', values: { value: 250.4 }, original: { unit: 'mmol/L', values: { value: 13.9 } }, context: { source: 'cgm' } },
      UNITS, // 250.41684
    ],
    [
      'blood pressure, mmHg, with pulse',
      { metric: 'blood_pressure', systolic: 128, diastolic: 82, pulse: 71, unit: 'mmHg' },
      {
        unit: 'mmHg',
        values: { systolic: 128, diastolic: 82, pulse: 71 },
        original: { unit: 'mmHg', values: { systolic: 128, diastolic: 82, pulse: 71 } },
        context: {},
      },
      'LOINC 85354-9 BP panel (8480-6 / 8462-4); UCUM mm[Hg]',
    ],
    [
      'blood pressure, mmHg, no pulse',
      { metric: 'blood_pressure', systolic: 118, diastolic: 76, unit: 'mmHg' },
      { unit: 'mmHg', values: { systolic: 118, diastolic: 76 }, original: { unit: 'mmHg', values: { systolic: 118, diastolic: 76 } }, context: {} },
      'LOINC 85354-9',
    ],
    [
      'blood pressure, kPa, with pulse (pulse is bpm, never converted)',
      { metric: 'blood_pressure', systolic: 17.1, diastolic: 10.9, pulse: 64, unit: 'kPa' },
      {
        unit: 'mmHg',
        values: { systolic: 128.3, diastolic: 81.8, pulse: 64 },
        original: { unit: 'kPa', values: { systolic: 17.1, diastolic: 10.9, pulse: 64 } },
        context: {},
      },
      'Bluetooth SIG 0x2A35 flag bit 0 = kPa; ' + UNITS, // 128.260602 / 81.756758
    ],
    [
      'blood pressure, kPa, no pulse',
      { metric: 'blood_pressure', systolic: 24, diastolic: 16, unit: 'kPa' },
      { unit: 'mmHg', values: { systolic: 180, diastolic: 120 }, original: { unit: 'kPa', values: { systolic: 24, diastolic: 16 } }, context: {} },
      UNITS, // 180.01488 / 120.00992
    ],
    [
      'heart rate',
      { metric: 'heart_rate', value: 72, unit: 'bpm' },
      { unit: 'bpm', values: { value: 72 }, original: { unit: 'bpm', values: { value: 72 } }, context: {} },
      'LOINC 8867-4; UCUM /min',
    ],
    [
      'SpO2',
      { metric: 'spo2', value: 97, unit: '%' },
      { unit: '%', values: { value: 97 }, original: { unit: '%', values: { value: 97 } }, context: {} },
      'LOINC 59408-5; UCUM %',
    ],
    [
      'steps with periodSeconds',
      { metric: 'steps', value: 4200, unit: 'steps', periodSeconds: 3600 },
      { unit: 'steps', values: { value: 4200 }, original: { unit: 'steps', values: { value: 4200 } }, context: { periodSeconds: '3600' } },
      'LOINC 55423-8',
    ],
    [
      'steps without periodSeconds',
      { metric: 'steps', value: 0, unit: 'steps' },
      { unit: 'steps', values: { value: 0 }, original: { unit: 'steps', values: { value: 0 } }, context: {} },
      'LOINC 55423-8',
    ],
  ])('%s', (_name, payload, expected, _source) => {
    const input = device(payload);
    const before = structuredClone(input);
    expect(normalizeReading(input)).toEqual({ ok: true, reading: expected });
    expect(input).toEqual(before); // the device reading itself is not modified
  });
});

type Side = 'low' | 'high';
type RangeCase = [
  metric: DeviceReading['metric'],
  field: string,
  side: Side,
  payload: Payload,
  accepted: boolean,
  rejectedValue: number | null,
  source: string,
];

const RANGES = 'normalize-reading.ts PLAUSIBLE_RANGES (meters ~20-600 mg/dL; cuffs ~40-300 mmHg)';

describe('normalizeReading: out_of_range at both sides of every plausible range', () => {
  const glucose = (value: number, unit: 'mg/dL' | 'mmol/L' = 'mg/dL'): Payload => ({ metric: 'glucose', value, unit, source: 'meter' });
  const bp = (systolic: number, diastolic: number, unit: 'mmHg' | 'kPa' = 'mmHg', pulse?: number): Payload =>
    pulse === undefined ? { metric: 'blood_pressure', systolic, diastolic, unit } : { metric: 'blood_pressure', systolic, diastolic, unit, pulse };

  const cases: RangeCase[] = [
    // glucose value [10, 1000] mg/dL, checked after conversion
    ['glucose', 'value', 'low', glucose(10), true, null, RANGES],
    ['glucose', 'value', 'low', glucose(9.9), false, 9.9, RANGES],
    ['glucose', 'value', 'low', glucose(0.6, 'mmol/L'), true, null, UNITS], // 10.8 mg/dL
    ['glucose', 'value', 'low', glucose(0.55, 'mmol/L'), false, 9.9, UNITS], // 9.90858 mg/dL
    ['glucose', 'value', 'high', glucose(1000), true, null, RANGES],
    ['glucose', 'value', 'high', glucose(1000.1), false, 1000.1, RANGES],
    ['glucose', 'value', 'high', glucose(55.5, 'mmol/L'), true, null, UNITS], // 999.8658 mg/dL
    ['glucose', 'value', 'high', glucose(55.6, 'mmol/L'), false, 1001.7, UNITS], // 1001.66736 mg/dL
    // blood pressure systolic [40, 300] mmHg
    ['blood_pressure', 'systolic', 'low', bp(40, 20), true, null, RANGES],
    ['blood_pressure', 'systolic', 'low', bp(39.9, 20), false, 39.9, RANGES],
    ['blood_pressure', 'systolic', 'low', bp(5.4, 2.7, 'kPa'), true, null, UNITS], // 40.5 / 20.3 mmHg
    ['blood_pressure', 'systolic', 'low', bp(5.3, 2.7, 'kPa'), false, 39.8, UNITS], // 39.753286 mmHg
    ['blood_pressure', 'systolic', 'high', bp(300, 100), true, null, RANGES],
    ['blood_pressure', 'systolic', 'high', bp(300.1, 100), false, 300.1, RANGES],
    ['blood_pressure', 'systolic', 'high', bp(40, 13.3, 'kPa'), true, null, UNITS], // 300.0 mmHg
    ['blood_pressure', 'systolic', 'high', bp(40.1, 13.3, 'kPa'), false, 300.8, UNITS], // 300.774862 mmHg
    // blood pressure diastolic [20, 200] mmHg
    ['blood_pressure', 'diastolic', 'low', bp(100, 20), true, null, RANGES],
    ['blood_pressure', 'diastolic', 'low', bp(100, 19.9), false, 19.9, RANGES],
    ['blood_pressure', 'diastolic', 'low', bp(13.3, 2.6, 'kPa'), false, 19.5, UNITS], // 19.501612 mmHg
    ['blood_pressure', 'diastolic', 'high', bp(250, 200), true, null, RANGES],
    ['blood_pressure', 'diastolic', 'high', bp(250, 200.1), false, 200.1, RANGES],
    ['blood_pressure', 'diastolic', 'high', bp(33.3, 26.6, 'kPa'), true, null, UNITS], // 249.8 / 199.5 mmHg
    ['blood_pressure', 'diastolic', 'high', bp(33.3, 26.7, 'kPa'), false, 200.3, UNITS], // 200.266554 mmHg
    // blood pressure pulse [20, 300] bpm (in both units, never converted)
    ['blood_pressure', 'pulse', 'low', bp(120, 80, 'mmHg', 20), true, null, RANGES],
    ['blood_pressure', 'pulse', 'low', bp(120, 80, 'mmHg', 19), false, 19, RANGES],
    ['blood_pressure', 'pulse', 'low', bp(16, 10.7, 'kPa', 19), false, 19, RANGES],
    ['blood_pressure', 'pulse', 'high', bp(120, 80, 'mmHg', 300), true, null, RANGES],
    ['blood_pressure', 'pulse', 'high', bp(120, 80, 'mmHg', 301), false, 301, RANGES],
    ['blood_pressure', 'pulse', 'high', bp(16, 10.7, 'kPa', 300), true, null, RANGES],
    // heart rate [20, 300] bpm
    ['heart_rate', 'value', 'low', { metric: 'heart_rate', value: 20, unit: 'bpm' }, true, null, RANGES],
    ['heart_rate', 'value', 'low', { metric: 'heart_rate', value: 19, unit: 'bpm' }, false, 19, RANGES],
    ['heart_rate', 'value', 'high', { metric: 'heart_rate', value: 300, unit: 'bpm' }, true, null, RANGES],
    ['heart_rate', 'value', 'high', { metric: 'heart_rate', value: 301, unit: 'bpm' }, false, 301, RANGES],
    // SpO2 [50, 100] %
    ['spo2', 'value', 'low', { metric: 'spo2', value: 50, unit: '%' }, true, null, RANGES],
    ['spo2', 'value', 'low', { metric: 'spo2', value: 49.9, unit: '%' }, false, 49.9, RANGES],
    ['spo2', 'value', 'high', { metric: 'spo2', value: 100, unit: '%' }, true, null, RANGES],
    ['spo2', 'value', 'high', { metric: 'spo2', value: 100.1, unit: '%' }, false, 100.1, RANGES],
    // steps [0, 100000]
    ['steps', 'value', 'low', { metric: 'steps', value: 0, unit: 'steps', periodSeconds: 60 }, true, null, RANGES],
    ['steps', 'value', 'low', { metric: 'steps', value: -1, unit: 'steps', periodSeconds: 60 }, false, -1, RANGES],
    ['steps', 'value', 'high', { metric: 'steps', value: 100_000, unit: 'steps', periodSeconds: 86_400 }, true, null, RANGES],
    ['steps', 'value', 'high', { metric: 'steps', value: 100_001, unit: 'steps', periodSeconds: 86_400 }, false, 100_001, RANGES],
  ];

  it.each(cases)('%s %s, %s side: %j accepted=%s', (metric, field, side, payload, accepted, rejectedValue) => {
    const result = normalizeReading(device(payload));
    if (accepted) {
      expect(result.ok).toBe(true);
      return;
    }
    const [min, max] = (PLAUSIBLE_RANGES[metric] as Record<string, readonly [number, number]>)[field];
    const unit = { glucose: 'mg/dL', blood_pressure: 'mmHg', heart_rate: 'bpm', spo2: '%', steps: 'steps' }[metric];
    expect(result).toEqual({
      ok: false,
      code: 'out_of_range',
      message: `${metric} ${field} ${rejectedValue} ${unit} is outside the plausible range ${min}-${max}`,
    });
    expect(side === 'low' ? rejectedValue! < min : rejectedValue! > max).toBe(true);
  });

  it('the ranges are the documented ones', () => {
    expect(PLAUSIBLE_RANGES).toEqual({
      glucose: { value: [10, 1000] },
      blood_pressure: { systolic: [40, 300], diastolic: [20, 200], pulse: [20, 300] },
      heart_rate: { value: [20, 300] },
      spo2: { value: [50, 100] },
      steps: { value: [0, 100_000] },
    });
  });

  it('the table covers an accepted and a rejected value at both sides of every range in PLAUSIBLE_RANGES', () => {
    const needed = Object.entries(PLAUSIBLE_RANGES).flatMap(([metric, fields]) =>
      Object.keys(fields).flatMap((field) => ['low', 'high'].flatMap((side) => [true, false].map((ok) => `${metric}.${field}.${side}.${ok}`))),
    );
    const covered = new Set(cases.map(([metric, field, side, , accepted]) => `${metric}.${field}.${side}.${accepted}`));
    expect(needed.filter((key) => !covered.has(key))).toEqual([]);
  });
});

describe('normalizeReading: systolic must be above diastolic (a swapped or failed cuff reading)', () => {
  it.each<[Payload, boolean, string]>([
    [{ metric: 'blood_pressure', systolic: 120, diastolic: 120, unit: 'mmHg' }, false, 'equal'],
    [{ metric: 'blood_pressure', systolic: 80, diastolic: 120, unit: 'mmHg', pulse: 70 }, false, 'swapped'],
    [{ metric: 'blood_pressure', systolic: 121, diastolic: 120, unit: 'mmHg' }, true, 'one above'],
    [{ metric: 'blood_pressure', systolic: 16, diastolic: 16, unit: 'kPa' }, false, 'equal in kPa'],
    [{ metric: 'blood_pressure', systolic: 10.7, diastolic: 16, unit: 'kPa' }, false, 'swapped in kPa'],
    [{ metric: 'blood_pressure', systolic: 16.1, diastolic: 16, unit: 'kPa' }, true, 'above in kPa (120.8 / 120.0 mmHg)'],
  ])('%j accepted=%s (%s)', (payload, accepted) => {
    const result = normalizeReading(device(payload));
    if (accepted) expect(result.ok).toBe(true);
    else expect(result).toEqual({ ok: false, code: 'out_of_range', message: 'blood_pressure systolic must be above diastolic' });
  });
});
