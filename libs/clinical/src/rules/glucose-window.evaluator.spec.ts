import type { NormalizedReading } from '@rpm/contracts';
import { mmolReading, reading } from '../summaries/summaries-fixtures';
import { DEFAULT_RULES } from './default-rules';
import { evaluateGlucoseWindow } from './glucose-window.evaluator';
import type { GlucoseWindowRule } from './rule-definition.schema';

const T0 = Date.UTC(2026, 10, 1);
const rule = (id: string) => DEFAULT_RULES.find((item) => item.id === id) as GlucoseWindowRule;
const NOW = new Date(T0 + 14 * 86_400_000);

/** 14 days back from NOW, one reading every `everyMinutes`, values in the order given (cycled). */
function fortnight(values: number[], unit: 'mg/dL' | 'mmol/L' = 'mg/dL', everyMinutes = 5, count = values.length): NormalizedReading[] {
  return Array.from({ length: count }, (_, n) => {
    const at = new Date(NOW.getTime() - (count - 1 - n) * everyMinutes * 60_000).toISOString();
    const value = values[n % values.length];
    return unit === 'mmol/L' ? mmolReading(at, value) : reading('glucose', at, { value });
  });
}
const repeat = (value: number, times: number) => Array.from({ length: times }, () => value);
const state = (id: string, readings: NormalizedReading[]) => evaluateGlucoseWindow(rule(id), readings, NOW).state;

describe('CGM targets at both sides of each boundary, in both units (Battelino 2019: TIR > 70 %, TBR < 4 %, CV <= 36 %)', () => {
  // 4000 readings of a 5-minute CGM cover 99.2 % of 14 days: sufficient (>= 70 %).
  it.each([
    // Time in range, target > 70 %: 2801 of 4000 (70.025 %) meets it; exactly 70 % (2800 of 4000) does not.
    ['glucose.tir_low', 'mg/dL', [...repeat(120, 2801), ...repeat(200, 1199)], 'clear'],
    ['glucose.tir_low', 'mg/dL', [...repeat(120, 2800), ...repeat(200, 1200)], 'firing'],
    // In mmol/L, 10.0 is in range (3.9-10.0) and 10.1 above: 2800 of 4000 at 10.0 is 70 %.
    ['glucose.tir_low', 'mmol/L', [...repeat(10.0, 2801), ...repeat(10.1, 1199)], 'clear'],
    ['glucose.tir_low', 'mmol/L', [...repeat(10.0, 2800), ...repeat(10.1, 1200)], 'firing'],
    // Time below 70 mg/dL (3.9 mmol/L), target < 4 %: 159 of 4000 (3.975 %) meets it; exactly 4 % (160) does not.
    ['glucose.tbr_high', 'mg/dL', [...repeat(69, 159), ...repeat(120, 3841)], 'clear'],
    ['glucose.tbr_high', 'mg/dL', [...repeat(69, 160), ...repeat(120, 3840)], 'firing'],
    ['glucose.tbr_high', 'mmol/L', [...repeat(3.8, 159), ...repeat(3.9, 3841)], 'clear'],
    ['glucose.tbr_high', 'mmol/L', [...repeat(3.8, 160), ...repeat(3.9, 3840)], 'firing'],
  ] as const)('%s in %s: %s', (id, unit, values, expected) => {
    expect(state(id, fortnight([...values], unit))).toBe(expected);
  });

  it('CV exactly 36 % meets the target; above it fires (mg/dL)', () => {
    // 2016 readings at 64, 2016 at 136 and one at 100: mean 100, sample variance 2 x 2016 x 36^2 / 4032 = 36^2,
    // so SD 36 and CV exactly 36 %. With 36.1 away from the mean, CV is 36.1 %.
    const exact = fortnight([...repeat(64, 2016), ...repeat(136, 2016), 100]);
    const over = fortnight([...repeat(63.9, 2016), ...repeat(136.1, 2016), 100]);
    expect([state('glucose.cv_high', exact), state('glucose.cv_high', over)]).toEqual(['clear', 'firing']);
  });

  it('CV either side of 36 % in mmol/L: 5.0 +/- 1.7 (34 %) is met, 5.0 +/- 1.9 (38 %) fires', () => {
    const under = fortnight([...repeat(3.3, 2016), ...repeat(6.7, 2016), 5.0], 'mmol/L');
    const over = fortnight([...repeat(3.1, 2016), ...repeat(6.9, 2016), 5.0], 'mmol/L');
    expect([state('glucose.cv_high', under), state('glucose.cv_high', over)]).toEqual(['clear', 'firing']);
  });

  it('says the exact value when one decimal would print the limit: 69.975 % prints with two decimals (69.97, binary floating point), never "70.0%"', () => {
    const outcome = evaluateGlucoseWindow(rule('glucose.tir_low'), fortnight([...repeat(120, 2799), ...repeat(200, 1201)]), NOW);
    expect(outcome.reason).toBe(
      'Time in range below target: time in range 70-180 mg/dL 69.97% over 14 days is at or below 70% (4000 CGM readings, 99% coverage)',
    );
  });
});

describe("CGM data sufficiency against the sensor's own interval (Battelino 2019: >= 70 % of possible readings)", () => {
  const swinging = [60, 140, 260, 140];
  it.each([
    // A 15-minute CGM worn 14 days (1344 readings) covers 100 %: judged (the old 288-a-day count said 33 %).
    [15, 1344, 'firing'],
    // A 1-minute CGM for 14 days: 100 %.
    [1, 20160, 'firing'],
    // A 5-minute CGM worn 9 of 14 days (2592 readings): 64 %, not enough to judge.
    [5, 2592, 'undetermined'],
    // ... and 10 of 14 days (2880 readings): 71 %, enough.
    [5, 2880, 'firing'],
  ] as const)('a %s-minute CGM with %s readings: time-in-range rule %s', (everyMinutes, count, expected) => {
    expect(state('glucose.tir_low', fortnight(swinging, 'mg/dL', everyMinutes, count))).toBe(expected);
  });
});
