import { cgmCoverage, cgmInTarget, glucoseBand, inferIntervalMinutes, roundCgmSummary, summarizeCgm, type CgmSummary } from './cgm-summary';
import { mmolReading, reading } from './summaries-fixtures';

const T0 = Date.UTC(2026, 2, 2);
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const cgm = (values: number[], everyMinutes = 5) => values.map((value, n) => reading('glucose', at(everyMinutes * n), { value }));
const cgmMmol = (values: number[], everyMinutes = 5) => values.map((value, n) => mmolReading(at(everyMinutes * n), value));

describe('CGM summary (Battelino 2019): exact values, rounded only for display', () => {
  it.each<[string, number[], Partial<CgmSummary>]>([
    ['all in range', [100, 120, 140, 160], { tir: 100, tbr70: 0, tbr54: 0, tar180: 0, tar250: 0, meanMgDl: 130 }],
    // 70 and 180 are in range (70-180 inclusive); 69 below 70, 53 below 54 too; 181 above 180, 251 above 250 too.
    [
      'range edges',
      [70, 180, 69, 53, 181, 251],
      { tir: (2 / 6) * 100, tbr70: (2 / 6) * 100, tbr54: (1 / 6) * 100, tar180: (2 / 6) * 100, tar250: (1 / 6) * 100 },
    ],
    // Mean 154 mg/dL -> GMI 3.31 + 0.02392 x 154 = 6.99368 (Bergenstal 2018 table: 154 mg/dL ~ 7.0 %).
    ['GMI from the mean', [154, 154], { gmiPercent: 3.31 + 0.02392 * 154, cvPercent: 0 }],
    // Sample SD of 100 and 200 is 70.71; mean 150: CV 47.14 %.
    ['CV is sample SD over mean', [100, 200], { cvPercent: (Math.sqrt(5000) / 150) * 100 }],
  ])('%s', (_, values, expected) => {
    const summary = summarizeCgm(cgm(values), 14)!;
    for (const [key, value] of Object.entries(expected)) expect(summary[key as keyof typeof summary]).toBeCloseTo(value as number, 10);
  });

  it('ignores meter readings and other metrics, and has nothing to say without CGM readings', () => {
    const meter = reading('glucose', '2026-03-02T08:00:00Z', { value: 40 }, 'meter');
    const bp = reading('blood_pressure', '2026-03-02T08:00:00Z', { systolic: 120, diastolic: 80 }, 'cuff');
    expect(summarizeCgm([meter, bp], 14)).toBeNull();
    expect(summarizeCgm([meter, ...cgm([120])], 14)!.readings).toBe(1);
  });

  it('classifies on the exact time in range: 69.96 % is below target although it displays as 70.0', () => {
    // 1749 of 2500 readings in range: 69.96 %.
    const values = [...Array.from({ length: 1749 }, () => 120), ...Array.from({ length: 751 }, () => 200)];
    const summary = summarizeCgm(cgm(values), 14)!;
    expect(roundCgmSummary(summary).tir).toBe(70);
    expect(summary.tir).toBeLessThan(70);
    expect(cgmInTarget(summary)).toBe(false);
  });

  it('does not meet the TIR target (> 70 %) at exactly 70 %, and meets it just above, in both units', () => {
    // 7 of 10 readings in range: 70 % exactly (7 x 100 / 10, no floating-point 70.00000000000001).
    const mgDl = summarizeCgm(cgm([120, 120, 120, 120, 120, 120, 120, 200, 200, 200]), 14)!;
    const mmol = summarizeCgm(cgmMmol([10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.1, 10.1, 10.1]), 14)!;
    expect([mgDl.tir, mmol.tir]).toEqual([70, 70]);
    expect([cgmInTarget(mgDl), cgmInTarget(mmol)]).toEqual([false, false]);
    // 71 of 100: above the target.
    expect(cgmInTarget(summarizeCgm(cgm([...Array(71).fill(120), ...Array(29).fill(200)]), 14)!)).toBe(true);
  });

  it('rounds for display to one decimal, GMI to two', () => {
    const rounded = roundCgmSummary(summarizeCgm(cgm([100, 155, 203]), 1)!);
    expect(rounded).toEqual({
      readings: 3,
      meanMgDl: 152.7,
      cvPercent: 33.8,
      gmiPercent: 6.96,
      tir: 66.7,
      tbr70: 0,
      tbr54: 0,
      tar180: 33.3,
      tar250: 0,
      // 3 readings of a 5-minute sensor (median gap 5 min) cover 15 of 1440 minutes.
      coveragePercent: 1,
    });
  });
});

describe('glucose bands in the unit measured (Battelino 2019: < 54, 54-69, 70-180, 181-250, > 250 mg/dL; < 3.0, 3.0-3.8, 3.9-10.0, 10.1-13.9, > 13.9 mmol/L)', () => {
  it.each([
    // mg/dL: both sides of 54, 70, 180 and 250.
    [53, 'mg/dL', 'below54'],
    [54, 'mg/dL', 'below70'],
    [69, 'mg/dL', 'below70'],
    [70, 'mg/dL', 'inRange'],
    [180, 'mg/dL', 'inRange'],
    [181, 'mg/dL', 'above180'],
    [250, 'mg/dL', 'above180'],
    [251, 'mg/dL', 'above250'],
    // mmol/L: both sides of 3.0, 3.9, 10.0 and 13.9. 10.0 mmol/L converts to 180.16 mg/dL (stored 180.2),
    // 13.9 to 250.42 (stored 250.4): in mg/dL they would be above 180 and above 250; the consensus says
    // 10.0 is in range and 13.9 is level 1.
    [2.9, 'mmol/L', 'below54'],
    [3.0, 'mmol/L', 'below70'],
    [3.8, 'mmol/L', 'below70'],
    [3.9, 'mmol/L', 'inRange'],
    [10.0, 'mmol/L', 'inRange'],
    [10.1, 'mmol/L', 'above180'],
    [13.9, 'mmol/L', 'above180'],
    [14.0, 'mmol/L', 'above250'],
  ] as const)('%s %s is %s', (value, unit, band) => {
    const item = unit === 'mmol/L' ? mmolReading(at(0), value) : reading('glucose', at(0), { value });
    expect(glucoseBand(item)).toBe(band);
  });

  it('gives a realistic mmol/L trace the same time in ranges as the same glucose traced in mg/dL', () => {
    // A day of 5-minute CGM: meals, a night low and a high, in 0.1 mmol/L steps as mmol/L sensors report;
    // the mg/dL trace is the same glucose shown by a mg/dL sensor (x 18.0156, whole mg/dL).
    const mmol = Array.from({ length: 288 }, (_, n) => {
      const hour = n / 12;
      const meal = [7, 12.5, 19].reduce((sum, start) => sum + (hour > start ? 20 * Math.exp(-(hour - start)) * (hour - start) : 0), 0);
      const night = hour > 2 && hour < 4 ? -4.5 * Math.sin(((hour - 2) / 2) * Math.PI) : 0;
      return Math.round((6.9 + meal + night + 0.4 * Math.sin(n * 1.7)) * 10) / 10;
    });
    const mgDl = mmol.map((value) => Math.round(value * 18.0156));
    const inMmol = summarizeCgm(cgmMmol(mmol), 1)!;
    const inMgDl = summarizeCgm(cgm(mgDl), 1)!;
    // The trace crosses every boundary, so the comparison means something.
    expect(new Set(cgmMmol(mmol).map(glucoseBand))).toEqual(new Set(['below54', 'below70', 'inRange', 'above180', 'above250']));
    for (const key of ['tir', 'tbr70', 'tbr54', 'tar180', 'tar250', 'coveragePercent'] as const) expect(inMmol[key]).toBe(inMgDl[key]);
    // Means differ only by the display rounding of the mg/dL sensor (at most 0.5 mg/dL per reading).
    expect(Math.abs(inMmol.meanMgDl - inMgDl.meanMgDl)).toBeLessThan(0.5);
    expect(Math.abs(inMmol.cvPercent - inMgDl.cvPercent)).toBeLessThan(0.1);
  });

  it('uses the exact conversion for the mean: 10.0 mmol/L is 180.156 mg/dL, not the stored 180.2', () => {
    expect(summarizeCgm(cgmMmol([10.0]), 1)!.meanMgDl).toBeCloseTo(180.156, 10);
  });
});

describe("data sufficiency against the sensor's own interval (Battelino 2019: >= 70 % of possible readings)", () => {
  const fortnight = (everyMinutes: number) => Array.from({ length: (14 * 1440) / everyMinutes }, () => 120);
  it.each([
    // 14 days worn without a gap cover the window whatever the sensor's interval.
    [1, 100],
    [5, 100],
    [15, 100],
  ])('a %s-minute CGM worn 14 days covers %s %%', (everyMinutes, percent) => {
    expect(summarizeCgm(cgm(fortnight(everyMinutes), everyMinutes), 14)!.coveragePercent).toBe(percent);
  });

  it('a 5-minute CGM worn 7 of 14 days covers 50 % (288 x 7 readings of 288 x 14)', () => {
    expect(summarizeCgm(cgm(Array.from({ length: 288 * 7 }, () => 120)), 14)!.coveragePercent).toBe(50);
  });

  it('a 15-minute CGM missing every tenth reading counts 15 min for each reading it has (the median gap is still 15 min)', () => {
    // 1344 possible readings (96 a day x 14), 134 missing: 1210 x 15 min of 20160 min = 90.03 %.
    const readings = cgm(fortnight(15), 15).filter((_, n) => n % 10 !== 9);
    expect(summarizeCgm(readings, 14)!.coveragePercent).toBeCloseTo(((1210 * 15) / 20160) * 100, 10);
  });

  it('bounds the inferred interval to 1-15 min: readings every 30 min count 15 min each (50 %)', () => {
    expect(inferIntervalMinutes([at(0), at(30), at(60)])).toBe(15);
    expect(inferIntervalMinutes([at(0), at(0.5), at(1)])).toBe(1);
    expect(summarizeCgm(cgm(fortnight(30), 30), 14)!.coveragePercent).toBe(50);
  });

  it('infers each device on its own: a 15-minute sensor for 7 days then a 5-minute one for 7 days cover 100 %', () => {
    const week15 = Array.from({ length: 7 * 96 }, (_, n) => reading('glucose', at(n * 15), { value: 120 }, 'cgm', 'libre'));
    const week5 = Array.from({ length: 7 * 288 }, (_, n) => reading('glucose', at(7 * 1440 + n * 5), { value: 120 }, 'cgm', 'dexcom'));
    expect(cgmCoverage([...week15, ...week5], 14)).toEqual({ coveragePercent: 100, intervalMinutes: 5 });
  });
});
