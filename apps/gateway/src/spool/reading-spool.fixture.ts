import type { NormalizedReading } from '@rpm/contracts';

/** The n-th of a device's heart-rate readings, one second apart: what spool tests append. */
export const spooledReading = (n: number): NormalizedReading => ({
  patientId: '7f1c2e2a-5a8e-4d55-9c43-0d6d1c1d0a11',
  deviceId: 'meter-1',
  metric: 'heart_rate',
  measuredAt: new Date(Date.UTC(2026, 10, 22, 8, 0, n)).toISOString(),
  receivedAt: '2026-11-22T08:01:00.000Z',
  seq: n,
  unit: 'bpm',
  values: { value: 60 + (n % 40) },
  original: { unit: 'bpm', values: { value: 60 + (n % 40) } },
  context: {},
});
