import { reading } from '../summaries/summaries-fixtures';
import { HOME_BP_MIN_READINGS } from '../summaries/home-bp-summary';
import { buildHomeBpReport, roundHomeBpReport, wholeMmHg } from './home-bp-report';

const bp = (at: string, systolic: number, diastolic: number) => reading('blood_pressure', at, { systolic, diastolic }, 'cuff');
const zone = 'Europe/London';
const options = { from: new Date('2026-01-05T00:00:00Z'), to: new Date('2026-01-12T00:00:00Z'), timeZone: zone };

/** Duplicate readings at 07:00 and 07:01, 19:00 and 19:01 London time (UTC in January) for `days` days. */
const schedule = (days: number, morning: [number, number], evening: [number, number]) =>
  Array.from({ length: days }, (_, day) => {
    const date = `2026-01-${String(5 + day).padStart(2, '0')}`;
    return [bp(`${date}T07:00:00Z`, ...morning), bp(`${date}T07:01:00Z`, ...morning), bp(`${date}T19:00:00Z`, ...evening), bp(`${date}T19:01:00Z`, ...evening)];
  }).flat();

describe('home BP report (ESH 2023): first day discarded, morning and evening means, readings per day, control below 135/85', () => {
  it('a week of duplicate morning and evening readings with a high first day', () => {
    const readings = [bp('2026-01-05T07:00:00Z', 180, 110), bp('2026-01-05T07:01:00Z', 180, 110), ...schedule(7, [140, 88], [130, 80]).slice(2)];
    const report = buildHomeBpReport(readings, options);
    expect(report.days.map((day) => [day.date, day.discarded, day.readings])).toEqual([
      ['2026-01-05', true, 4],
      ['2026-01-06', false, 4],
      ['2026-01-07', false, 4],
      ['2026-01-08', false, 4],
      ['2026-01-09', false, 4],
      ['2026-01-10', false, 4],
      ['2026-01-11', false, 4],
    ]);
    expect(report.mean).toEqual({ systolic: 135, diastolic: 84, readings: 28, readingsInMean: 24, controlled: false });
    expect(report.morning).toEqual({ systolic: 140, diastolic: 88, readings: 12 });
    expect(report.evening).toEqual({ systolic: 130, diastolic: 80, readings: 12 });
    expect(report.readingsPerDay).toBe(4);
    expect(report.days[0].morning).toEqual({ systolic: 180, diastolic: 110, readings: 2 });
    expect(report.days[1].points[0]).toEqual([7 * 60, 140, 88]);
    expect(report.target).toEqual({ systolic: 135, diastolic: 85 });
    expect(report.message).toBeNull();
  });

  it('morning and evening are the patient’s local clock: 23:00 UTC is 08:00 next morning in Tokyo', () => {
    const readings = [bp('2026-01-04T23:00:00Z', 150, 90), bp('2026-01-05T10:00:00Z', 120, 70)];
    const report = buildHomeBpReport(readings, { ...options, from: new Date('2026-01-04T15:00:00Z'), timeZone: 'Asia/Tokyo' });
    expect(report.days[0]).toEqual(
      expect.objectContaining({
        date: '2026-01-05',
        morning: { systolic: 150, diastolic: 90, readings: 1 },
        evening: { systolic: 120, diastolic: 70, readings: 1 },
      }),
    );
  });

  it('says why there is no mean: one day of readings is all discarded', () => {
    const report = buildHomeBpReport(schedule(1, [120, 80], [120, 80]), options);
    expect(report.mean).toBeNull();
    expect(report.message).toBe(`Too few readings to judge: 0 after the first day is discarded, at least ${HOME_BP_MIN_READINGS} needed (ESH 2023).`);
    expect(buildHomeBpReport([], options).message).toBe('No home blood-pressure readings in this period.');
  });

  it.each<[number, number, number]>([
    [155.9, 135, 156],
    [95.4, 85, 95],
    [134.4, 135, 134],
    [135.2, 135, 135],
    // 134.6 would show as 135 beside "below 135": one decimal is kept instead.
    [134.6, 135, 134.6],
    [84.5, 85, 84.5],
  ])('shows %s mmHg against %s as %s', (value, threshold, shown) => {
    expect(wholeMmHg(value, threshold)).toBe(shown);
  });

  it('rounds the report to whole mmHg for display, the verdict taken on the exact mean', () => {
    const readings = [...schedule(1, [170, 100], [170, 100]), ...schedule(7, [134, 84], [135, 85]).slice(4)];
    const report = roundHomeBpReport(buildHomeBpReport(readings, options));
    expect(report.mean).toEqual(expect.objectContaining({ systolic: 134.5, diastolic: 84.5, controlled: true }));
    expect(report.morning).toEqual({ systolic: 134, diastolic: 84, readings: 12 });
    expect(report.evening).toEqual({ systolic: 135, diastolic: 85, readings: 12 });
  });
});
