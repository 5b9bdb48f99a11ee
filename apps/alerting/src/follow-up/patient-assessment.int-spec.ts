import type { NormalizedReading } from '@rpm/contracts';
import { createDataSource } from '@rpm/persistence';
import { PostgresReadingStore } from '@rpm/timeseries';
import type { DataSource } from 'typeorm';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { createTestDatabase } from '../../../../test/support/test-services';
import { PatientAssessment } from './patient-assessment';

const DAY = 86_400_000;
const now = new Date('2026-01-20T15:00:00Z');

describe("patient assessment on real PostgreSQL: the summaries of libs/clinical in the patient's own time zone", () => {
  let dataSource: DataSource;
  let store: PostgresReadingStore;
  let clinic: ClinicFixture;
  let databaseUrl: string;

  const bp = (measuredAt: Date, systolic: number, diastolic: number): NormalizedReading =>
    ({
      patientId: clinic.patientId,
      deviceId: clinic.device.deviceId,
      metric: 'blood_pressure',
      measuredAt: measuredAt.toISOString(),
      receivedAt: measuredAt.toISOString(),
      seq: null,
      unit: 'mmHg',
      values: { systolic, diastolic },
      original: { unit: 'mmHg', values: { systolic, diastolic } },
      context: { source: 'cuff' },
    }) as NormalizedReading;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    dataSource = await createDataSource(databaseUrl).initialize();
    store = new PostgresReadingStore(databaseUrl);
    clinic = await createClinic(databaseUrl, 'zone');
    await dataSource.query(`UPDATE patients SET time_zone = 'America/New_York' WHERE id = $1`, [clinic.patientId]);
  });

  afterAll(async () => {
    await store?.close();
    await dataSource?.destroy();
  });

  it("counts evening readings after UTC midnight on the patient's evening, discards the first day and keeps the mean exact", async () => {
    // Seven New York evenings, 18:00 and 22:00 local (23:00 UTC, then 03:00 UTC the next day): seven local days, eight
    // UTC dates; 12 readings after the first day, the ESH minimum.
    const evenings = [7, 6, 5, 4, 3, 2, 1].map((back) => new Date(Date.UTC(2026, 0, 20 - back, 23, 0)));
    await store.write(
      evenings.flatMap((evening, n) => [bp(evening, n === 0 ? 170 : 136, 80), bp(new Date(evening.getTime() + 4 * 3_600_000), n === 0 ? 170 : 135, 80)]),
    );

    const assessment = await new PatientAssessment(dataSource, store).assess(clinic.patientId, now);

    expect(assessment.daysWithData).toBe(7);
    // The first evening's 170s are discarded; 136 and 135 over six evenings average 135.5, unrounded.
    expect(assessment.homeBp).toEqual({ systolic: 135.5, diastolic: 80 });
    expect(now.getTime() - evenings[0].getTime()).toBeLessThan(7 * DAY);
  });
  it("judges a 1-minute CGM's whole fortnight (20,160 readings) and counts older days with data from 15-minute buckets", async () => {
    const cgm = await createClinic(databaseUrl, 'cgm-minute');
    const glucose = (measuredAt: Date, value: number): NormalizedReading =>
      ({
        patientId: cgm.patientId,
        deviceId: cgm.device.deviceId,
        metric: 'glucose',
        measuredAt: measuredAt.toISOString(),
        receivedAt: measuredAt.toISOString(),
        seq: null,
        unit: 'mg/dL',
        values: { value },
        original: { unit: 'mg/dL', values: { value } },
        context: { source: 'cgm' },
      }) as NormalizedReading;
    // 12 days in range, then the last 2 days above 180 mg/dL: an oldest-first limit would cut exactly those.
    const minutes = 14 * 1440;
    const readings = Array.from({ length: minutes }, (_, n) => glucose(new Date(now.getTime() - (minutes - n) * 60_000), n < 12 * 1440 ? 120 : 250));
    // One reading on each of the 16 days before the fortnight: 30 days with data in all.
    for (let back = 15; back <= 30; back++) readings.push(glucose(new Date(now.getTime() - back * DAY + 3_600_000), 120));
    for (let n = 0; n < readings.length; n += 5_000) await store.write(readings.slice(n, n + 5_000));

    const assessment = await new PatientAssessment(dataSource, store).assess(cgm.patientId, now);

    expect(assessment.timeInRangePercent).toBeCloseTo((12 / 14) * 100, 1);
    expect(assessment.daysWithData).toBe(30);
  });
});
