import type { GlucoseReading } from '@rpm/contracts';
import { glucoseReadingSchema } from '@rpm/contracts';
import { createPatientModel } from '../cohort/patient-model';
import { physiologyEpisodes } from '../scenarios/physiology-episodes';
import { DAY_MS, HOUR_MS, MINUTE_MS, localHour } from './clock';
import { CGM_INTERVAL_MS, cgmReadings, meterReadings, trendArrow } from './glucose';

const END = Date.parse('2026-11-23T12:00:00Z');
const FROM = END - 14 * DAY_MS;
const values = (readings: { reading: unknown }[]) => readings.map(({ reading }) => (reading as GlucoseReading).value);
const share = (list: number[], predicate: (value: number) => boolean) => list.filter(predicate).length / list.length;

describe('glucose physiology (docs/clinical-references.md glucose table)', () => {
  const wellControlled = createPatientModel('diabetes-cgm', 'seed-1:patient-a');
  const cgm = cgmReadings(wellControlled.glucose, 'cgm-a', FROM, END);

  it('is deterministic: the same seed gives the same readings, another seed different ones', () => {
    const again = cgmReadings(createPatientModel('diabetes-cgm', 'seed-1:patient-a').glucose, 'cgm-a', FROM, END);
    expect(again).toEqual(cgm);
    expect(values(cgmReadings(createPatientModel('diabetes-cgm', 'seed-2:patient-a').glucose, 'cgm-a', FROM, END))).not.toEqual(values(cgm));
  });

  it('gives the same reading for an instant whatever window it is generated in (backfill then live agree)', () => {
    const lastDay = cgmReadings(wellControlled.glucose, 'cgm-a', END - DAY_MS, END);
    expect(lastDay).toEqual(cgm.filter(({ atMs }) => atMs > END - DAY_MS));
  });

  it('reports a CGM reading every 5 min: 288 a day, 4032 over 14 days, each a valid protocol v1 payload', () => {
    expect(cgm).toHaveLength(14 * 288);
    for (let index = 1; index < cgm.length; index++) expect(cgm[index].atMs - cgm[index - 1].atMs).toBe(CGM_INTERVAL_MS);
    for (const { reading } of cgm.slice(0, 300)) expect(glucoseReadingSchema.parse(reading)).toEqual(reading);
    expect(cgm.every(({ reading }) => (reading as GlucoseReading).source === 'cgm')).toBe(true);
  });

  it('keeps a well-controlled patient in range 70-180 mg/dL > 70% of the time, below 54 < 1%, within the CGM 40-400 range (Battelino 2019)', () => {
    const list = values(cgm);
    expect(share(list, (value) => value >= 70 && value <= 180)).toBeGreaterThan(0.7);
    expect(share(list, (value) => value < 54)).toBeLessThan(0.01);
    expect(Math.min(...list)).toBeGreaterThanOrEqual(40);
    expect(Math.max(...list)).toBeLessThanOrEqual(400);
  });

  it('shows the dawn phenomenon and meals: 03:00-08:00 rises above the 02:00-03:00 night level; post-meal peaks exceed fasting', () => {
    const byHour = (from: number, to: number) => {
      const inHour = cgm.filter(({ atMs }) => localHour(atMs, { utcOffsetMinutes: 0 }) >= from && localHour(atMs, { utcOffsetMinutes: 0 }) < to);
      return values(inHour).reduce((sum, value) => sum + value, 0) / inHour.length;
    };
    expect(byHour(5.5, 6.5)).toBeGreaterThan(byHour(1.5, 2.5) + 5);
    expect(byHour(19, 20.5)).toBeGreaterThan(byHour(1.5, 2.5) + 20);
  });

  it('gives an unstable patient more variability (CV > 36% is high, docs/clinical-references.md) and some level 1 lows (< 70 mg/dL)', () => {
    const unstable = values(cgmReadings(createPatientModel('diabetes-unstable', 'seed-1:patient-b').glucose, 'cgm-b', FROM, END));
    const cv = (list: number[]) => {
      const mean = list.reduce((sum, value) => sum + value, 0) / list.length;
      return Math.sqrt(list.reduce((sum, value) => sum + (value - mean) ** 2, 0) / list.length) / mean;
    };
    expect(cv(unstable)).toBeGreaterThan(cv(values(cgm)));
    expect(cv(unstable)).toBeGreaterThan(0.3);
    expect(share(unstable, (value) => value < 70)).toBeGreaterThan(0.005);
  });

  it.each([['cgm'], ['meter']])('hypo scenario: %s glucose falls below 54 mg/dL (level 2) for >= 15 min (Danne 2017 episode)', (source) => {
    const anchor = END - 4 * HOUR_MS;
    const model = createPatientModel(source === 'cgm' ? 'diabetes-cgm' : 'diabetes-meter', 'seed-1:patient-c', {
      episodes: physiologyEpisodes(['hypo'], anchor),
    });
    const readings = source === 'cgm' ? cgmReadings(model.glucose, 'dev', anchor, END) : meterReadings(model.glucose, 'dev', anchor, END);
    const low = readings.filter(({ reading }) => (reading as GlucoseReading).value < 54);
    expect(low.length).toBeGreaterThanOrEqual(2);
    // Consecutive low readings spanning at least 15 min.
    let longest = 0;
    for (let start = 0, index = 0; index < readings.length; index++) {
      if ((readings[index].reading as GlucoseReading).value >= 54) start = index + 1;
      else longest = Math.max(longest, readings[index].atMs - readings[start].atMs);
    }
    expect(longest).toBeGreaterThanOrEqual(15 * MINUTE_MS);
  });

  it('hyper scenario: a CGM and a meter both show > 250 mg/dL at least twice (level 2 hyperglycaemia, ketone check)', () => {
    const anchor = END - 6 * HOUR_MS;
    for (const profile of ['diabetes-cgm', 'diabetes-meter'] as const) {
      const model = createPatientModel(profile, 'seed-1:patient-d', { episodes: physiologyEpisodes(['hyper'], anchor) });
      const readings = profile === 'diabetes-cgm' ? cgmReadings(model.glucose, 'dev', anchor, END) : meterReadings(model.glucose, 'dev', anchor, END);
      expect(values(readings).filter((value) => value > 250).length).toBeGreaterThanOrEqual(2);
    }
  });

  it('takes 1-4 finger-sticks a day, the first one fasting, each with a meal context', () => {
    const model = createPatientModel('diabetes-meter', 'seed-1:patient-e');
    const readings = meterReadings(model.glucose, 'meter-e', FROM, END);
    const perDay = new Map<number, GlucoseReading[]>();
    for (const { atMs, reading } of readings) {
      const day = Math.floor(atMs / DAY_MS);
      perDay.set(day, [...(perDay.get(day) ?? []), reading as GlucoseReading]);
    }
    for (const [, day] of [...perDay].slice(1, -1)) {
      expect(day.length).toBeGreaterThanOrEqual(1);
      expect(day.length).toBeLessThanOrEqual(4);
      expect(day[0].mealContext).toBe('fasting');
    }
    expect(readings.every(({ reading }) => (reading as GlucoseReading).source === 'meter' && (reading as GlucoseReading).mealContext)).toBe(true);
  });

  it.each([
    [-3.5, 'falling_fast'],
    [-2, 'falling_fast'],
    [-1.2, 'falling'],
    [0, 'steady'],
    [1.5, 'rising'],
    [2.5, 'rising_fast'],
  ])('a rate of %d mg/dL/min shows the arrow %s (falling fast at <= -2 mg/dL/min, docs/clinical-references.md)', (rate, arrow) => {
    expect(trendArrow(rate)).toBe(arrow);
  });
});
