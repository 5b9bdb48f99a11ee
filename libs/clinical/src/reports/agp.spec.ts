import { reading } from '../summaries/summaries-fixtures';
import { AGP_MIN_READINGS_PER_BIN, buildAgpReport, percentile, roundAgpReport } from './agp';

const DAY = 86_400_000;
const cgm = (at: string | number, value: number) => reading('glucose', new Date(at).toISOString(), { value });
const period = (from: string, days: number) => ({ from: new Date(from), to: new Date(Date.parse(from) + days * DAY) });

describe('percentiles: linear between closest ranks (type 7, as Excel PERCENTILE.INC)', () => {
  it.each<[string, number[], number, number]>([
    ['median of an odd count is the middle value', [1, 2, 3, 4, 5], 50, 3],
    ['median of an even count is the mean of the middle two', [10, 20, 30, 40], 50, 25],
    ['25th of 10..40 lies a quarter of the way from 10 to 20', [10, 20, 30, 40], 25, 17.5],
    ['75th of 10..40', [10, 20, 30, 40], 75, 32.5],
    ['5th of 1..5 is 1.2', [1, 2, 3, 4, 5], 5, 1.2],
    ['95th of 1..5 is 4.8', [1, 2, 3, 4, 5], 95, 4.8],
    ['one value is every percentile', [120], 95, 120],
  ])('%s', (_, values, p, expected) => {
    expect(percentile(values, p)).toBeCloseTo(expected, 10);
  });
});

describe('AGP report (Battelino 2019; AGP v4): modal day in the patient’s time zone, ranges, sufficiency, daily profiles', () => {
  it('bins by local time: 08:05 in Berlin (07:05 UTC in winter) falls in the 08:00 bin, with its percentiles', () => {
    // 10 days, one reading a day at 08:05 Berlin time: 100, 110, ... 190 mg/dL.
    const readings = Array.from({ length: 10 }, (_, day) => cgm(Date.UTC(2026, 0, 5 + day, 7, 5), 100 + 10 * day));
    const report = buildAgpReport(readings, { ...period('2026-01-05T00:00:00+01:00', 14), timeZone: 'Europe/Berlin' });
    const bin = report.profile.find((candidate) => candidate.startMinute === 8 * 60)!;
    expect(bin).toEqual({ startMinute: 480, readings: 10, p5: 104.5, p25: 122.5, p50: 145, p75: 167.5, p95: 185.5 });
    expect(report.profile).toHaveLength(96);
    expect(report.binsWithData).toBe(1);
    expect(report.profile.filter((other) => other !== bin).every((other) => other.readings === 0 && other.p50 === null)).toBe(true);
  });

  it('keeps the same local hour across a daylight-saving change (New York, 8 March 2026)', () => {
    // 07:00 local is 12:00 UTC before the change and 11:00 UTC after it.
    const readings = [
      ...Array.from({ length: 3 }, (_, day) => cgm(Date.UTC(2026, 2, 5 + day, 12, 0), 100)),
      ...Array.from({ length: 3 }, (_, day) => cgm(Date.UTC(2026, 2, 9 + day, 11, 0), 100)),
    ];
    const report = buildAgpReport(readings, { ...period('2026-03-01T05:00:00Z', 14), timeZone: 'America/New_York' });
    expect(report.profile.filter((bin) => bin.readings > 0).map((bin) => [bin.startMinute, bin.readings])).toEqual([[420, 6]]);
  });

  it('puts a reading after local midnight on the local date: 23:30 UTC is the next day in Tokyo', () => {
    const report = buildAgpReport([cgm('2026-04-01T23:30:00Z', 140)], { ...period('2026-03-31T15:00:00Z', 3), timeZone: 'Asia/Tokyo' });
    expect(report.dailyProfiles.map((day) => [day.date, day.readings])).toEqual([
      ['2026-04-01', 0],
      ['2026-04-02', 1],
      ['2026-04-03', 0],
    ]);
    expect(report.dailyProfiles[1].points).toEqual([[8 * 60 + 30, 140]]);
  });

  it('says there is no data instead of drawing anything when there are no CGM readings (meter readings do not count)', () => {
    const meter = reading('glucose', '2026-01-06T08:00:00Z', { value: 40 }, 'meter');
    const report = buildAgpReport([meter], { ...period('2026-01-05T00:00:00Z', 14), timeZone: 'UTC' });
    expect(report.metrics).toBeNull();
    expect(report.ranges).toBeNull();
    expect(report.binsWithData).toBe(0);
    expect(report.sufficiency).toEqual(
      expect.objectContaining({ sufficient: false, coveragePercent: 0, daysWithData: 0, ofDays: 14, message: 'No CGM readings in this period.' }),
    );
  });

  it('flags a few readings as not enough data and draws no curve from them', () => {
    // Four readings at 100 % in range, over 14 days: 0.1 % coverage.
    const readings = [0, 1, 2, 3].map((day) => cgm(Date.UTC(2026, 0, 6 + day, 8), 120));
    const report = buildAgpReport(readings, { ...period('2026-01-05T00:00:00Z', 14), timeZone: 'UTC' });
    expect(report.metrics!.tir).toBe(100);
    expect(report.sufficiency.sufficient).toBe(false);
    // 0.1 % at 5 min a reading; a coverage that credits each reading its sensor's own interval says a little more.
    expect(report.sufficiency.message).toMatch(/^CGM active 0\.\d% of the period: at least 70% is needed/);
    expect(report.binsWithData).toBe(0);
    expect(readings.length).toBeLessThan(AGP_MIN_READINGS_PER_BIN);
  });

  it('14 full days every 5 minutes: 100 % coverage, every bin drawn, a flat profile at a constant glucose', () => {
    const from = Date.UTC(2026, 0, 5);
    const readings = Array.from({ length: 14 * 288 }, (_, n) => cgm(from + n * 300_000, 120));
    const report = roundAgpReport(buildAgpReport(readings, { from: new Date(from), to: new Date(from + 14 * DAY), timeZone: 'UTC' }));
    expect(report.sufficiency).toEqual({ sufficient: true, coveragePercent: 100, minimumCoveragePercent: 70, daysWithData: 14, ofDays: 14, message: null });
    expect(report.binsWithData).toBe(96);
    expect(report.profile.every((bin) => bin.readings === 42 && bin.p5 === 120 && bin.p95 === 120)).toBe(true);
    expect(report.metrics).toEqual(expect.objectContaining({ meanMgDl: 120, meanMmolL: 6.7, gmiPercent: 6.18, cvPercent: 0 }));
    expect(report.dailyProfiles.every((day) => day.readings === 288 && day.tir === 100)).toBe(true);
  });

  it('splits the readings into the five consensus ranges: <54, 54-69, 70-180, 181-250, >250 mg/dL', () => {
    const readings = [50, 60, 120, 200, 300].map((value, n) => cgm(Date.UTC(2026, 0, 6, 8, 5 * n), value));
    const report = buildAgpReport(readings, { ...period('2026-01-05T00:00:00Z', 14), timeZone: 'UTC' });
    expect(report.ranges!.map((range) => [range.key, range.mgDl, range.mmolL, range.percent])).toEqual([
      ['veryHigh', '>250', '>13.9', 20],
      ['high', '181–250', '10.1–13.9', 20],
      ['inRange', '70–180', '3.9–10.0', 20],
      ['low', '54–69', '3.0–3.8', 20],
      ['veryLow', '<54', '<3.0', 20],
    ]);
  });

  it('ignores readings outside the period', () => {
    const report = buildAgpReport([cgm('2026-01-04T23:59:00Z', 300), cgm('2026-01-19T00:00:00Z', 300), cgm('2026-01-06T00:00:00Z', 100)], {
      ...period('2026-01-05T00:00:00Z', 14),
      timeZone: 'UTC',
    });
    expect(report.metrics!.readings).toBe(1);
  });
});
