import { cgmInTarget, roundCgmSummary, summarizeCgm, type CgmSummary } from './cgm-summary';
import { reading } from './summaries-fixtures';

const cgm = (values: number[]) => values.map((value, n) => reading('glucose', new Date(Date.UTC(2026, 2, 2, 0, 5 * n)).toISOString(), { value }));

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

  it('counts coverage against 288 readings a day over the window', () => {
    expect(summarizeCgm(cgm(Array.from({ length: 288 * 7 }, () => 120)), 14)!.coveragePercent).toBe(50);
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
      coveragePercent: 1,
    });
  });
});
