import type { DeviceReading, NormalizedReading } from '@rpm/contracts';
import { normalizeReading } from '../normalize-reading';
import { DEFAULT_RULES } from './default-rules';
import { evaluateRules, type RuleOutcome } from './evaluate-rules';
import { formatDuration } from './rule-outcome';

const PATIENT = '7f1c2e2a-5a8e-4d55-9c43-0d6d1c1d0a11';
const T0 = Date.parse('2026-11-22T08:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

function reading(device: Omit<DeviceReading, 'measuredAt'>, minutes: number, receivedLateMinutes = 0): NormalizedReading {
  const normalized = normalizeReading({ ...device, measuredAt: at(minutes) } as DeviceReading);
  if (!normalized.ok) throw new Error(normalized.message);
  return {
    patientId: PATIENT,
    deviceId: 'device-1',
    metric: device.metric,
    measuredAt: at(minutes),
    receivedAt: at(minutes + receivedLateMinutes),
    seq: null,
    ...normalized.reading,
  };
}
const meter = (value: number, unit: 'mg/dL' | 'mmol/L' = 'mg/dL') => ({ metric: 'glucose', value, unit, source: 'meter' }) as const;
const cgm = (value: number, unit: 'mg/dL' | 'mmol/L' = 'mg/dL') => ({ metric: 'glucose', value, unit, source: 'cgm' }) as const;
const bp = (systolic: number, diastolic: number) => ({ metric: 'blood_pressure', systolic, diastolic, unit: 'mmHg' }) as const;
const spo2 = (value: number) => ({ metric: 'spo2', value, unit: '%' }) as const;
const hr = (value: number) => ({ metric: 'heart_rate', value, unit: 'bpm' }) as const;

function outcomes(readings: NormalizedReading[], nowMinutes?: number): Map<string, RuleOutcome> {
  const now = new Date(nowMinutes === undefined ? Date.parse(readings[readings.length - 1].measuredAt) : T0 + nowMinutes * 60_000);
  return new Map(evaluateRules(DEFAULT_RULES, { now, readings, timeZone: 'UTC' }).map((outcome) => [outcome.rule.id, outcome]));
}
const firing = (readings: NormalizedReading[], nowMinutes?: number) =>
  [...outcomes(readings, nowMinutes).values()].filter((outcome) => outcome.state === 'firing').map((outcome) => outcome.rule.id);

describe('default glucose level rules at both sides of each threshold, in both units (ADA; docs/clinical-references.md)', () => {
  it.each([
    // value, unit, rules that fire
    [54, 'mg/dL', ['glucose.level1_hypo']],
    [53.9, 'mg/dL', ['glucose.level2_hypo']],
    [70, 'mg/dL', []],
    [69.9, 'mg/dL', ['glucose.level1_hypo']],
    [3.0, 'mmol/L', ['glucose.level1_hypo']], // 54.05 mg/dL converted, but compared with the published 3.0 mmol/L
    [2.9, 'mmol/L', ['glucose.level2_hypo']],
    [3.9, 'mmol/L', []],
    [3.8, 'mmol/L', ['glucose.level1_hypo']],
    [599, 'mg/dL', []], // one reading above 250: level 2 hyper needs two
    [600, 'mg/dL', ['glucose.hhs_range']],
    [33.3, 'mmol/L', ['glucose.hhs_range']],
    [120, 'mg/dL', []],
  ] as const)('%s %s fires %j', (value, unit, expected) => {
    expect(firing([reading(meter(value, unit), 0)])).toEqual(expected);
  });

  it('level 2 hyperglycaemia needs two consecutive readings above 250 mg/dL (13.9 mmol/L)', () => {
    expect(firing([reading(meter(251), 0), reading(meter(250), 60)])).toEqual([]);
    expect(firing([reading(meter(251), 0), reading(meter(14.0, 'mmol/L'), 60)])).toEqual(['glucose.level2_hyper']);
  });

  it.each([
    // Both sides of > 250 mg/dL and > 13.9 mmol/L, twice: 13.9 mmol/L is stored as 250.4 mg/dL but is not above 13.9.
    [250, 'mg/dL', []],
    [251, 'mg/dL', ['glucose.level2_hyper']],
    [13.9, 'mmol/L', []],
    [14.0, 'mmol/L', ['glucose.level2_hyper']],
  ] as const)('two readings of %s %s fire %j', (value, unit, expected) => {
    expect(firing([reading(meter(value, unit), 0), reading(meter(value, unit), 60)])).toEqual(expected);
  });

  it('says why in one sentence, naming the count, duration and lowest value of an episode', () => {
    const readings = [reading(cgm(60), 0), reading(cgm(52), 5), reading(cgm(50), 10), reading(cgm(48), 15), reading(cgm(51), 20)];
    const outcome = outcomes(readings).get('glucose.level2_hypo')!;
    expect(outcome.state).toBe('firing');
    expect(outcome.reason).toBe('Level 2 hypoglycaemia: 4 readings below 54 mg/dL over 15 min (lowest 48 mg/dL)');
    expect(outcome.since).toBe(at(5));
    expect(outcome.evidence.map((item) => item.values.value)).toEqual([52, 50, 48, 51]);
  });

  it.each([
    // after a level 2 low, the next reading: state of the level 2 rule (clears only at >= 54 + 16 = 70)
    [53, 'firing'],
    [60, 'undetermined'],
    [69.9, 'undetermined'],
    [70, 'clear'],
  ] as const)('hysteresis: after 48 mg/dL, a reading of %s leaves level 2 hypoglycaemia %s', (value, state) => {
    expect(outcomes([reading(meter(48), 0), reading(meter(value), 15)]).get('glucose.level2_hypo')!.state).toBe(state);
  });
});

describe('rate of change (Dexcom rate alerts: 2 and 3 mg/dL/min over 2 consecutive readings, below 150 mg/dL)', () => {
  it.each([
    [[140, 131, 122], []], // 1.8 mg/dL/min
    [[140, 130, 120], ['glucose.falling_fast']], // exactly 2 mg/dL/min: "<= -2" fires
    [[140, 129, 118], ['glucose.falling_fast']],
    [[145, 129, 113], ['glucose.falling_very_fast']],
    [[200, 185, 170], []], // above the 150 mg/dL gate
    [[140, 129, 125], []], // only one fast interval
  ] as const)('CGM %j fires %j', (values, expected) => {
    const readings = values.map((value, index) => reading(cgm(value), index * 5));
    expect(firing(readings).filter((id) => id.startsWith('glucose.falling'))).toEqual(expected);
  });
});

describe('predicted low (Nightscout ar2, forecast <= 55 mg/dL within 20 min)', () => {
  it.each([
    [100, 90, false],
    [90, 75, true],
    [80, 72, false], // forecast bottoms at 61 mg/dL
    [80, 68, true], // forecast 54 mg/dL at 15 min
    [110, 108, false],
  ] as const)('CGM %s then %s five minutes later: urgent low soon %s', (previous, current, fires) => {
    const outcome = outcomes([reading(cgm(previous), 0), reading(cgm(current), 5)]).get('glucose.predicted_low')!;
    expect(outcome.state === 'firing').toBe(fires);
  });
});

describe('rate of change per source: a CGM trend is not a finger-stick (Dexcom rate alerts: 2 and 3 mg/dL/min)', () => {
  const falling = (readings: NormalizedReading[]) => firing(readings).filter((id) => id.startsWith('glucose.falling'));
  it('a CGM 108 then a finger-stick 44 a minute later is no fall (it was "falling 64 mg/dL/min")', () => {
    const readings = [reading(cgm(108), 0), reading(meter(44), 1)];
    expect(outcomes(readings).get('glucose.falling_very_fast')!.state).toBe('undetermined');
  });
  it('judges the CGM stream across interleaved finger-sticks: 140, 130, 120 every 5 min is 2 mg/dL/min', () => {
    const readings = [reading(cgm(140), 0), reading(meter(100), 2), reading(cgm(130), 5), reading(meter(90), 7), reading(cgm(120), 10)];
    expect(falling(readings)).toEqual(['glucose.falling_fast']);
  });
  it.each([
    // 7.8, 7.2, 6.6 mmol/L every 5 min: 0.6 x 18.0156 / 5 = 2.16 mg/dL/min, fast; 7.8, 7.3, 6.8: 1.80 mg/dL/min, not.
    [[7.8, 7.2, 6.6], ['glucose.falling_fast']],
    [[7.8, 7.3, 6.8], []],
  ] as const)('a CGM in mmol/L %j fires %j', (values, expected) => {
    expect(falling(values.map((value, index) => reading(cgm(value, 'mmol/L'), index * 5)))).toEqual(expected);
  });
});

describe("predicted low at any CGM interval (Nightscout ar2 over bgnow's 5-minute buckets, back 17.5 min)", () => {
  /**
   * The reference, in this test's words: ar2 steps y(n+1) = -0.723 y(n-1) + 1.716 y(n) on y = ln(BG / 140) every
   * 5 min from "5 min ago" and "now"; bgnow's "now" is the mean of the readings within 2.5 min of the newest,
   * "before" the mean of the next non-empty 5-minute bucket, and the change between the two is scaled to 5 min.
   */
  function ar2Lowest(fiveMinutesAgo: number, now: number): number {
    let y = [Math.log(fiveMinutesAgo / 140), Math.log(now / 140)];
    const forecast: number[] = [];
    for (let step = 0; step < 4; step++) forecast.push(Math.round(140 * Math.exp((y = [y[1], -0.723 * y[0] + 1.716 * y[1]])[1])));
    return Math.min(...forecast);
  }
  const state = (points: [number, number][], unit: 'mg/dL' | 'mmol/L' = 'mg/dL') =>
    outcomes(points.map(([minute, value]) => reading(cgm(value, unit), minute))).get('glucose.predicted_low')!.state;

  it.each([
    // 7 min apart: 80 -> 66 is 10 mg/dL per 5 min, forecast 53 (<= 55); 80 -> 70 is 7.1 per 5 min, forecast 61.
    [
      'a 7-minute gap, falling 14 in 7 min',
      [
        [0, 80],
        [7, 66],
      ],
      66 + (14 * 5) / 7,
      66,
      'firing',
    ],
    [
      'a 7-minute gap, falling 10 in 7 min',
      [
        [0, 80],
        [7, 70],
      ],
      70 + (10 * 5) / 7,
      70,
      'undetermined',
    ],
    // 12 min apart (a missed reading): 95 -> 66 is 12.1 per 5 min, forecast 50; 90 -> 72 is 7.5 per 5 min, forecast 62
    // (inside the 10 mg/dL hysteresis band above 55: undetermined).
    [
      'a 12-minute gap, falling 29 in 12 min',
      [
        [0, 95],
        [12, 66],
      ],
      66 + (29 * 5) / 12,
      66,
      'firing',
    ],
    [
      'a 12-minute gap, falling 18 in 12 min',
      [
        [0, 90],
        [12, 72],
      ],
      72 + (18 * 5) / 12,
      72,
      'undetermined',
    ],
  ] as const)('%s: lowest forecast decides', (_, points, fiveMinutesAgo, now, expected) => {
    // Two readings: the buckets are the readings themselves.
    const lowest = ar2Lowest(fiveMinutesAgo, now);
    expect(lowest <= 55 ? 'firing' : lowest > 65 ? 'clear' : 'undetermined').toBe(expected);
    expect(state(points.map(([minute, value]) => [minute, value] as [number, number]))).toBe(expected);
  });

  it.each([
    // A 1-minute CGM falling 2.4 mg/dL/min to 68: "now" is the mean of 68, 70.4, 72.8 (70.4, centred 1 min back);
    // "before" the mean of the readings 3-7 min back (80, centred 5 min back): 9.6 in 4 min, 12 per 5 min.
    [2.4, 70.4 + 12, 70.4, 'firing'],
    // Falling 1.6 mg/dL/min: 73.6 now, 8 per 5 min.
    [1.6, 73.6 + 8, 73.6, 'undetermined'],
  ] as const)('a 1-minute CGM falling %s mg/dL/min', (perMinute, fiveMinutesAgo, now, expected) => {
    const lowest = ar2Lowest(fiveMinutesAgo, now);
    expect(lowest <= 55 ? 'firing' : lowest > 65 ? 'clear' : 'undetermined').toBe(expected);
    const points = Array.from({ length: 10 }, (_, n) => [n, 68 + perMinute * (9 - n)] as [number, number]);
    expect(state(points)).toBe(expected);
  });

  it.each([
    // In mmol/L (stored as mg/dL x 18.0156): 4.4 -> 3.8 five minutes apart forecasts 54 mg/dL; 4.4 -> 4.0 forecasts 63.
    [3.8, 'firing'],
    [4.0, 'undetermined'],
  ] as const)('a CGM in mmol/L: 4.4 then %s five minutes later is %s', (now, expected) => {
    const lowest = ar2Lowest(4.4 * 18.0156, now * 18.0156);
    expect(lowest <= 55 ? 'firing' : lowest > 65 ? 'clear' : 'undetermined').toBe(expected);
    expect(
      state(
        [
          [0, 4.4],
          [5, now],
        ],
        'mmol/L',
      ),
    ).toBe(expected);
  });

  it('has nothing to forecast from without a reading 2.5-17.5 min before the newest', () => {
    expect(
      state([
        [0, 90],
        [18, 60],
      ]),
    ).toBe('undetermined');
  });
});

describe('words a clinician reads: local times, durations in sensible units', () => {
  it("says when a silent CGM last measured in the patient's local time, not as an ISO timestamp", () => {
    // T0 + 10 min is 08:10 UTC on 22 Nov 2026: 03:10 in New York (UTC-5), 17:10 in Tokyo (UTC+9).
    const readings = [reading(cgm(120), 0), reading(cgm(118), 10)];
    const reasonIn = (timeZone: string) =>
      evaluateRules(DEFAULT_RULES, { now: new Date(T0 + 45 * 60_000), readings, timeZone }).find((item) => item.rule.id === 'glucose.cgm_stale_urgent')!.reason;
    expect(reasonIn('America/New_York')).toBe('CGM data stale: no CGM glucose reading for 35 min (last measured 03:10 on 22 Nov)');
    expect(reasonIn('Asia/Tokyo')).toBe('CGM data stale: no CGM glucose reading for 35 min (last measured 17:10 on 22 Nov)');
  });

  it('says "within a minute" for a run of readings seconds apart, never "over 0 min"', () => {
    const readings = [50, 49, 48].map((value, index) => ({ ...reading(cgm(value), 0), measuredAt: new Date(T0 + index * 1000).toISOString() }));
    expect(outcomes(readings).get('glucose.level2_hypo')!.reason).toBe('Level 2 hypoglycaemia: 3 readings below 54 mg/dL within a minute (lowest 48 mg/dL)');
  });

  it.each([
    [0.5, 'under a minute'],
    [1, '1 min'],
    [89, '89 min'],
    [90, '1.5 h'],
    [47 * 60, '47 h'],
    [3 * 1440, '3 days'],
  ])('%s minutes read as "%s"', (minutes, words) => {
    expect(formatDuration(minutes)).toBe(words);
  });
});

describe('missing data: a silent CGM, not a late one (Nightscout: 15 min warn, 30 min urgent)', () => {
  const lastCgm = [reading(cgm(120), 0)];
  it.each([
    [14, []],
    [16, ['glucose.cgm_stale']],
    [31, ['glucose.cgm_stale_urgent']],
  ] as const)('%s min after the last CGM reading fires %j', (nowMinutes, expected) => {
    expect(firing(lastCgm, nowMinutes).filter((id) => id.includes('stale'))).toEqual(expected);
  });

  it('does not page while old readings are still arriving (a backfill in progress)', () => {
    const backfilling = [reading(cgm(120), 0, 40)]; // measured at 0, received at 40
    expect(firing(backfilling, 45).filter((id) => id.includes('stale'))).toEqual([]);
  });

  it('a BP cuff silent for 3 days alerts; 2 days does not', () => {
    expect(firing([reading(bp(130, 80), 0)], 2 * 1440).filter((id) => id === 'bp.no_readings')).toEqual([]);
    expect(firing([reading(bp(130, 80), 0)], 3 * 1440 + 1).filter((id) => id === 'bp.no_readings')).toEqual(['bp.no_readings']);
  });
});

describe('blood pressure (2017 ACC/AHA; home mean >= 135/85 over 7 days, day 1 discarded)', () => {
  it.each([
    // Crisis: systolic > 180 and/or diastolic > 120 (2017 ACC/AHA).
    [180, 100, []],
    [181, 100, ['bp.crisis_systolic']],
    [170, 120, []],
    [170, 121, ['bp.crisis_diastolic']],
    // Low: NEWS2 scores systolic <= 90 (so 90 fires, 91 does not); diastolic < 60 (so 59 fires, 60 does not).
    [91, 60, []],
    [90, 60, ['bp.low_systolic']],
    [91, 59, ['bp.low_diastolic']],
    [90, 59, ['bp.low_systolic', 'bp.low_diastolic']],
  ] as const)('%s/%s mmHg fires %j', (systolic, diastolic, expected) => {
    expect(firing([reading(bp(systolic, diastolic), 0)]).filter((id) => !id.startsWith('bp.home'))).toEqual(expected);
  });

  function week(systolic: number, diastolic: number): NormalizedReading[] {
    // Morning and evening pairs for 7 days.
    return Array.from({ length: 7 }, (_, day) =>
      [7 * 60, 7 * 60 + 1, 19 * 60, 19 * 60 + 1].map((minute) => reading(bp(systolic, diastolic), day * 1440 + minute)),
    ).flat();
  }
  it.each([
    [132, 82, 'clear'],
    [134, 84, 'undetermined'], // inside the 3 mmHg hysteresis band
    [135, 80, 'firing'],
    [128, 85, 'firing'],
  ] as const)('a week of %s/%s mmHg: home mean rule %s', (systolic, diastolic, state) => {
    const readings = week(systolic, diastolic);
    expect(outcomes(readings).get('bp.home_mean_uncontrolled')!.state).toBe(state);
  });

  it('does not judge a home mean on too few readings', () => {
    expect(outcomes([reading(bp(150, 95), 0), reading(bp(150, 95), 1500)]).get('bp.home_mean_uncontrolled')!.state).toBe('undetermined');
  });

  it('judges the home mean as the summary does: 12 readings after the first local day (ESH), 11 are too few', () => {
    // week() starts at T0 + 7 h = 15:00 UTC on 22 Nov: the first local (UTC) day holds that pair only, discarded;
    // the next 12 readings are judged; drop one and 11 remain.
    const fourDays = week(150, 95).slice(0, 14);
    const home = (readings: NormalizedReading[]) => outcomes(readings).get('bp.home_mean_uncontrolled')!;
    expect(home(fourDays).state).toBe('firing');
    expect(home(fourDays).reason).toBe(
      'Home blood pressure above target: 7-day home mean 150/95 mmHg from 12 readings, first day discarded reaches 135/85 mmHg',
    );
    expect(home(fourDays.slice(0, -1)).state).toBe('undetermined');
  });

  it("discards the first calendar day in the patient's time zone, not the first 24 hours", () => {
    // New York (UTC-5): a 23:00 reading on day 1 local, then from 07:00 on day 2 local (8 hours later) 12 readings of
    // 140/90. The old rule dropped 24 h from the first reading and so also the 07:00 and 07:01 of day 2.
    const zone = 'America/New_York';
    const first = Date.parse('2026-11-23T04:00:00Z'); // 23:00 on 22 Nov in New York
    const item = (ms: number, s: number, d: number) => ({
      ...reading(bp(s, d), 0),
      measuredAt: new Date(ms).toISOString(),
      receivedAt: new Date(ms).toISOString(),
    });
    const readings = [item(first, 200, 120)];
    for (let day = 0; day < 3; day++)
      for (const minute of [12 * 60, 12 * 60 + 1, 24 * 60, 24 * 60 + 1])
        readings.push(item(first + (8 * 60 - 12 * 60 + day * 1440 + minute) * 60_000, 140, 90));
    const outcome = evaluateRules(DEFAULT_RULES, { now: new Date(readings.at(-1)!.measuredAt), readings, timeZone: zone }).find(
      (item) => item.rule.id === 'bp.home_mean_uncontrolled',
    )!;
    expect(outcome.reason).toContain('140/90 mmHg from 12 readings');
  });
});

describe('wearables (NEWS2; NHS oximetry)', () => {
  it.each([
    [[95, 95], []],
    [[94, 94], ['spo2.low']],
    [[94, 95], []],
    [[92, 92], ['spo2.low_urgent']],
  ] as const)('SpO2 %j fires %j', (values, expected) => {
    expect(firing(values.map((value, index) => reading(spo2(value), index)))).toEqual(expected);
  });

  it.each([
    [[125, 125, 125], [0, 5, 9], []], // under 10 minutes
    [[125, 125, 125], [0, 5, 10], ['heart_rate.high']],
    [[135, 140, 138], [0, 5, 10], ['heart_rate.very_high']],
    [[40, 40], [0, 1], ['heart_rate.very_low']],
  ] as const)('heart rate %j at minutes %j fires %j', (values, minutes, expected) => {
    expect(firing(values.map((value, index) => reading(hr(value), minutes[index])))).toEqual(expected);
  });
});

describe('CGM window statistics need sufficient data (Battelino 2019: >= 70% of readings over 14 days)', () => {
  function fortnight(valueAt: (index: number) => number, everyMinutes = 5): NormalizedReading[] {
    const count = Math.floor((14 * 1440) / everyMinutes);
    return Array.from({ length: count }, (_, index) => reading(cgm(valueAt(index)), index * everyMinutes));
  }
  it('fires time-in-range and variability rules on a swinging fortnight', () => {
    const readings = fortnight((index) => (index % 4 === 0 ? 60 : index % 4 === 2 ? 260 : 140));
    const fired = firing(readings, 14 * 1440);
    expect(fired).toEqual(expect.arrayContaining(['glucose.tir_low', 'glucose.tbr_high', 'glucose.cv_high']));
  });
  it('clears them on a steady fortnight and stays undetermined with sparse data', () => {
    const steady = outcomes(
      fortnight(() => 120),
      14 * 1440,
    );
    expect(steady.get('glucose.tir_low')!.state).toBe('clear');
    expect(
      outcomes(
        fortnight(() => 60, 30),
        14 * 1440,
      ).get('glucose.tir_low')!.state,
    ).toBe('undetermined');
  });
});
