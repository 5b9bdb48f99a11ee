import { deviceReadingSchema } from '@rpm/contracts';
import { createPatientModel } from '../cohort/patient-model';
import { DAY_MS } from './clock';
import { activityAt, HEART_RATE_INTERVAL_MS, SPO2_INTERVAL_MS, wearableReadings } from './wearable';

const END = Date.parse('2026-11-23T12:00:00Z');
const FROM = END - 14 * DAY_MS;
const mean = (list: number[]) => list.reduce((sum, value) => sum + value, 0) / list.length;

describe('wearable: heart rate, SpO2 and steps (docs/clinical-references.md wearables table)', () => {
  const patient = createPatientModel('post-surgery', 'seed-1:patient-w', { surgeryMs: FROM });
  const readings = wearableReadings(patient.wearable, 'watch-w', FROM, END);
  const of = (metric: string) => readings.filter(({ reading }) => reading.metric === metric);
  const value = (timed: { reading: unknown }) => (timed.reading as { value: number }).value;

  it('is deterministic for a seed and valid protocol v1 payloads', () => {
    expect(wearableReadings(createPatientModel('post-surgery', 'seed-1:patient-w', { surgeryMs: FROM }).wearable, 'watch-w', FROM, END)).toEqual(readings);
    for (const { reading } of readings.slice(0, 500)) expect(deviceReadingSchema.parse(reading)).toEqual(reading);
  });

  it('reports heart rate every 10 min, SpO2 every 30 min and steps every hour', () => {
    expect(of('heart_rate')).toHaveLength((14 * DAY_MS) / HEART_RATE_INTERVAL_MS);
    expect(of('spo2')).toHaveLength((14 * DAY_MS) / SPO2_INTERVAL_MS);
    expect(of('steps')).toHaveLength(14 * 24);
  });

  it('keeps heart rate in 41-110 bpm (outside the NEWS2 warning bands) and higher while walking than asleep', () => {
    const rates = of('heart_rate');
    expect(Math.min(...rates.map(value))).toBeGreaterThan(40);
    expect(Math.max(...rates.map(value))).toBeLessThanOrEqual(110);
    const during = (activity: string) => mean(rates.filter(({ atMs }) => activityAt(patient.wearable, atMs) === activity).map(value));
    expect(during('walking')).toBeGreaterThan(during('awake') + 10);
    expect(during('awake')).toBeGreaterThan(during('asleep'));
  });

  it('keeps SpO2 at 95-100%, above the 94% warning (NHS England oximetry)', () => {
    const saturations = of('spo2').map(value);
    expect(Math.min(...saturations)).toBeGreaterThanOrEqual(95);
    expect(Math.max(...saturations)).toBeLessThanOrEqual(100);
  });

  it('counts no steps at night and more steps a day as recovery after surgery goes on', () => {
    const steps = of('steps');
    const daily = (day: number) =>
      steps
        .filter(({ atMs }) => atMs > FROM + day * DAY_MS && atMs <= FROM + (day + 1) * DAY_MS)
        .map(value)
        .reduce((sum, n) => sum + n, 0);
    expect(steps.filter(({ atMs }) => new Date(atMs).getUTCHours() === 4).every((timed) => value(timed) === 0)).toBe(true);
    expect(daily(12)).toBeGreaterThan(daily(0) * 1.5);
    expect(daily(12)).toBeGreaterThan(2000);
    expect(daily(12)).toBeLessThan(20_000);
  });
});
