import { roundHomeBpSummary, summarizeHomeBp } from './home-bp-summary';
import { reading } from './summaries-fixtures';

/** Morning and evening readings, local time in New York (UTC-5 in January), day by day. */
const week = (days: [number, number][][]) =>
  days.flatMap((pairs, day) =>
    pairs.map(([systolic, diastolic], n) =>
      reading('blood_pressure', new Date(Date.UTC(2026, 0, 5 + day, n === 0 ? 12 : 23, 0)).toISOString(), { systolic, diastolic }, 'cuff'),
    ),
  );
const zone = 'America/New_York';

describe('home BP summary (ESH 2021): 7-day mean, first day discarded, enough readings, control below 135/85', () => {
  /** `count` days of a morning and an evening reading, all [systolic, diastolic]. */
  const days = (count: number, morning: [number, number], evening = morning): [number, number][][] => Array.from({ length: count }, () => [morning, evening]);
  it.each<[string, [number, number][][], { systolic: number; diastolic: number; readings: number; readingsInMean: number; controlled: boolean } | null]>([
    [
      'first day discarded: its high readings do not count',
      [
        [
          [170, 100],
          [170, 100],
        ],
        ...days(6, [130, 80]),
      ],
      { systolic: 130, diastolic: 80, readings: 14, readingsInMean: 12, controlled: true },
    ],
    [
      'mean at 135 systolic is not controlled',
      [[[140, 80]], ...days(6, [138, 84], [132, 84])],
      { systolic: 135, diastolic: 84, readings: 13, readingsInMean: 12, controlled: false },
    ],
    [
      'diastolic at 85 is not controlled',
      [[[120, 80]], ...days(6, [120, 85])],
      { systolic: 120, diastolic: 85, readings: 13, readingsInMean: 12, controlled: false },
    ],
    // ESH: at least 3 days of duplicate morning and evening readings, 12 readings, after the first day.
    [
      '12 readings after the first day: a mean',
      [[[120, 80]], ...days(6, [120, 80])],
      { systolic: 120, diastolic: 80, readings: 13, readingsInMean: 12, controlled: true },
    ],
    ['11 readings after the first day: no mean', [[[120, 80]], ...days(5, [120, 80]), [[120, 80]]], null],
    [
      'one day only: nothing left once it is discarded',
      [
        [
          [120, 80],
          [120, 80],
          [120, 80],
          [120, 80],
          [120, 80],
        ],
      ],
      null,
    ],
    ['no readings', [], null],
  ])('%s', (_, days, expected) => {
    const summary = summarizeHomeBp(week(days), zone);
    if (expected === null) expect(summary).toBeNull();
    else expect(summary).toEqual(expected);
  });

  it('classifies on the exact mean: 134.96 is controlled although it would display as 135.0', () => {
    // Day 1 discarded; then 25 readings: 24 x 135 and 1 x 134 -> 134.96.
    const days: [number, number][][] = [
      [[150, 90]],
      ...Array.from(
        { length: 12 },
        () =>
          [
            [135, 80],
            [135, 80],
          ] as [number, number][],
      ),
      [[134, 80]],
    ];
    const summary = summarizeHomeBp(week(days), zone)!;
    expect(summary.systolic).toBeCloseTo(134.96, 10);
    expect(summary.controlled).toBe(true);
  });

  it("finds the first day in the patient's zone: an evening reading after UTC midnight belongs to that evening", () => {
    // 2026-01-06T03:00Z is 22:00 on 5 January in New York: part of the discarded first day.
    const readings = [
      reading('blood_pressure', '2026-01-05T12:00:00Z', { systolic: 170, diastolic: 100 }, 'cuff'),
      reading('blood_pressure', '2026-01-06T03:00:00Z', { systolic: 170, diastolic: 100 }, 'cuff'),
      ...week([[], ...days(6, [130, 80])]),
    ];
    expect(summarizeHomeBp(readings, zone)).toEqual(expect.objectContaining({ systolic: 130, readingsInMean: 12 }));
    expect(summarizeHomeBp(readings, 'UTC')).toEqual(expect.objectContaining({ readingsInMean: 13 }));
  });

  it('rounds to whole mmHg for display only', () => {
    const summary = summarizeHomeBp(week([[[150, 90]], ...days(6, [135, 85], [134, 84])]), zone)!;
    expect([summary.systolic, summary.diastolic]).toEqual([134.5, 84.5]);
    // Controlled is judged on the exact 134.5/84.5, below 135/85.
    expect(roundHomeBpSummary(summary)).toEqual({ systolic: 135, diastolic: 85, readings: 13, controlled: true });
  });
});
