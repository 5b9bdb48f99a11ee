import { summarizeHomeBp } from './home-bp-summary';
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
  it.each<[string, [number, number][][], { systolic: number; diastolic: number; readings: number; readingsInMean: number; controlled: boolean } | null]>([
    [
      'first day discarded: its high readings do not count',
      [
        [
          [170, 100],
          [170, 100],
        ],
        [
          [130, 80],
          [130, 80],
        ],
        [
          [130, 80],
          [130, 80],
        ],
      ],
      { systolic: 130, diastolic: 80, readings: 6, readingsInMean: 4, controlled: true },
    ],
    [
      'mean at 135 systolic is not controlled',
      [
        [[140, 80]],
        [
          [138, 84],
          [132, 84],
        ],
        [
          [138, 84],
          [132, 84],
        ],
      ],
      { systolic: 135, diastolic: 84, readings: 5, readingsInMean: 4, controlled: false },
    ],
    [
      'diastolic at 85 is not controlled',
      [
        [[120, 80]],
        [
          [120, 85],
          [120, 85],
        ],
        [
          [120, 85],
          [120, 85],
        ],
      ],
      { systolic: 120, diastolic: 85, readings: 5, readingsInMean: 4, controlled: false },
    ],
    [
      'fewer than 4 readings after the first day: no mean',
      [
        [
          [120, 80],
          [120, 80],
        ],
        [
          [120, 80],
          [120, 80],
        ],
        [[120, 80]],
      ],
      null,
    ],
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
      ...week([
        [],
        [
          [130, 80],
          [130, 80],
        ],
        [
          [130, 80],
          [130, 80],
        ],
      ]),
    ];
    expect(summarizeHomeBp(readings, zone)).toEqual(expect.objectContaining({ systolic: 130, readingsInMean: 4 }));
    expect(summarizeHomeBp(readings, 'UTC')).toEqual(expect.objectContaining({ readingsInMean: 5 }));
  });
});
