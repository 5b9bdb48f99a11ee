import { daysWithData, lastLocalDates, localDate } from './local-days';

describe("days with data, counted in the patient's own time zone", () => {
  it.each<[string, string, string, string]>([
    ['late evening in New York is the previous UTC date', '2026-03-03T03:30:00Z', 'America/New_York', '2026-03-02'],
    ['early morning in Sydney is the next UTC date', '2026-03-02T20:00:00Z', 'Australia/Sydney', '2026-03-03'],
    ['UTC itself', '2026-03-02T23:59:59Z', 'UTC', '2026-03-02'],
    ['half-hour zone (India)', '2026-03-02T18:45:00Z', 'Asia/Kolkata', '2026-03-03'],
  ])('%s', (_, at, zone, date) => {
    expect(localDate(at, zone)).toBe(date);
  });

  it('steps local dates on the calendar across a daylight-saving change (no date skipped or repeated)', () => {
    // Europe/Berlin springs forward on 2026-03-29: that day has 23 hours.
    expect(lastLocalDates(new Date('2026-03-30T22:30:00Z'), 'Europe/Berlin', 4)).toEqual(['2026-03-31', '2026-03-30', '2026-03-29', '2026-03-28']);
  });

  it.each<[string, string[], string, number]>([
    // Two readings on one New York evening fall on two UTC dates: one local day, not two.
    ['evening readings straddling UTC midnight count once', ['2026-03-02T23:30:00Z', '2026-03-03T01:30:00Z'], 'America/New_York', 1],
    ['the same readings in UTC are two days', ['2026-03-02T23:30:00Z', '2026-03-03T01:30:00Z'], 'UTC', 2],
    ['a reading before the 30 local days is not counted', ['2026-02-01T12:00:00Z', '2026-03-02T12:00:00Z'], 'UTC', 1],
    ['no readings, no days', [], 'Europe/London', 0],
  ])('%s', (_, readings, zone, expected) => {
    expect(daysWithData(readings, zone, new Date('2026-03-03T12:00:00Z'), 30)).toBe(expected);
  });

  it('counts at most the days of the window, whatever was fetched', () => {
    const now = new Date('2026-03-31T12:00:00Z');
    const everyDay = Array.from({ length: 40 }, (_, n) => new Date(now.getTime() - n * 86_400_000).toISOString());
    expect(daysWithData(everyDay, 'Pacific/Auckland', now, 30)).toBe(30);
  });
});
