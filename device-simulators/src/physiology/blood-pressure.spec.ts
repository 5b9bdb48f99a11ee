import { bloodPressureReadingSchema, type BloodPressureReading } from '@rpm/contracts';
import { createPatientModel } from '../cohort/patient-model';
import { physiologyEpisodes } from '../scenarios/physiology-episodes';
import { bloodPressureReadings, CRISIS_RECHECK_MS, PAIR_GAP_MS } from './blood-pressure';
import { DAY_MS, HOUR_MS, localHour } from './clock';

const END = Date.parse('2026-11-23T12:00:00Z');
const FROM = END - 14 * DAY_MS;
const bp = (timed: { reading: unknown }) => timed.reading as BloodPressureReading;
const mean = (list: number[]) => list.reduce((sum, value) => sum + value, 0) / list.length;

describe('home blood pressure (docs/clinical-references.md blood pressure table and home protocol)', () => {
  const hypertensive = createPatientModel('hypertension', 'seed-1:patient-h');
  const readings = bloodPressureReadings(hypertensive.bloodPressure, 'cuff-h', FROM, END);

  it('is deterministic for a seed and valid protocol v1 payloads', () => {
    expect(bloodPressureReadings(createPatientModel('hypertension', 'seed-1:patient-h').bloodPressure, 'cuff-h', FROM, END)).toEqual(readings);
    for (const timed of readings) expect(bloodPressureReadingSchema.parse(timed.reading)).toEqual(timed.reading);
  });

  it('measures in pairs 1 min apart, morning (06:30-08:00) and evening (20:00-22:00), most days of 14', () => {
    const firsts = readings.filter((_, index) => index % 2 === 0);
    expect(readings.length % 2).toBe(0);
    readings.forEach((timed, index) => {
      if (index % 2 === 1) expect(timed.atMs - readings[index - 1].atMs).toBe(PAIR_GAP_MS);
    });
    for (const { atMs } of firsts) {
      const hour = localHour(atMs, { utcOffsetMinutes: 0 });
      expect((hour >= 6.5 && hour < 8.02) || (hour >= 20 && hour < 22.02)).toBe(true);
    }
    // 2 sessions a day with 85-97% adherence: at least 20 of 28 sessions.
    expect(firsts.length).toBeGreaterThanOrEqual(20);
    expect(firsts.length).toBeLessThanOrEqual(30);
  });

  it('keeps a hypertensive home mean at or above 135/85 (uncontrolled, 2017 ACC/AHA) without crisis values, systolic always above diastolic', () => {
    expect(mean(readings.map((timed) => bp(timed).systolic))).toBeGreaterThanOrEqual(135);
    expect(mean(readings.map((timed) => bp(timed).diastolic))).toBeGreaterThanOrEqual(85);
    for (const timed of readings) {
      expect(bp(timed).systolic).toBeLessThanOrEqual(180);
      expect(bp(timed).diastolic).toBeLessThanOrEqual(120);
      expect(bp(timed).systolic).toBeGreaterThan(bp(timed).diastolic);
    }
  });

  it('keeps a post-surgery patient normotensive: mean below 135/85 and never below 90 systolic (NEWS2 low)', () => {
    const normal = bloodPressureReadings(createPatientModel('post-surgery', 'seed-1:patient-s').bloodPressure, 'cuff-s', FROM, END);
    expect(mean(normal.map((timed) => bp(timed).systolic))).toBeLessThan(135);
    expect(Math.min(...normal.map((timed) => bp(timed).systolic))).toBeGreaterThan(90);
  });

  it('bp-crisis scenario: a pair above 180/120 mmHg and the re-measurement after 5 min still above', () => {
    const anchor = END - 3 * HOUR_MS;
    const model = createPatientModel('hypertension', 'seed-1:patient-h', { episodes: physiologyEpisodes(['bp-crisis'], anchor) });
    const crisis = bloodPressureReadings(model.bloodPressure, 'cuff-h', anchor, END).filter((timed) => bp(timed).systolic > 180);
    expect(crisis).toHaveLength(3);
    expect(crisis.every((timed) => bp(timed).diastolic > 120)).toBe(true);
    expect(crisis[1].atMs - crisis[0].atMs).toBe(PAIR_GAP_MS);
    expect(crisis[2].atMs - crisis[0].atMs).toBe(CRISIS_RECHECK_MS);
  });
});
