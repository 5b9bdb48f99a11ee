import { InfluxReadingStore } from '@rpm/timeseries';
import type { NormalizedReading } from '@rpm/contracts';
import { AppProcess } from '../../test/support/app-process';
import { registerDevices } from '../../test/support/device-fleet';
import { createClinic, type ClinicFixture } from '../../test/support/fixtures';
import { gatewayEnv, type GatewayUnderTest } from '../../test/support/gateway-env';
import { createTestDatabase, testServices, uniqueInfluxDatabase } from '../../test/support/test-services';
import { waitFor } from '../../test/support/wait-for';
import type { ProvisionedDevice } from './cohort/simulated-patient';
import { runSimulation } from './simulator';

/**
 * The simulator against the real gateway (its own process, embedded broker), real PostgreSQL for devices
 * and the spool's target, and InfluxDB as the store: what it says it sent must be what the store holds.
 */
describe('device simulator against the real gateway and store', () => {
  let gateway: AppProcess;
  let underTest: GatewayUnderTest;
  let store: InfluxReadingStore;
  let diabetic: ClinicFixture;
  let recovering: ClinicFixture;
  let devices: ProvisionedDevice[];

  const storedFor = (patientId: string): Promise<NormalizedReading[]> =>
    store.query({ patientId, from: new Date(Date.now() - 3 * 86_400_000), to: new Date(Date.now() + 86_400_000), limit: 100_000 });

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    const influx = { url: testServices().influxUrl, database: uniqueInfluxDatabase() };
    [diabetic, recovering] = [await createClinic(databaseUrl, 'sim-a'), await createClinic(databaseUrl, 'sim-b')];
    const [wearable] = await registerDevices(databaseUrl, recovering.patientId, 1);
    // The platform does not tie a credential to what a device measures: the clinic's meters play a CGM and a cuff.
    devices = [
      { patientId: diabetic.patientId, ...diabetic.device, kind: 'cgm', profile: 'diabetes-cgm' },
      { patientId: recovering.patientId, ...recovering.device, kind: 'blood_pressure_cuff', profile: 'post-surgery' },
      { patientId: recovering.patientId, ...wearable, kind: 'wearable', profile: 'post-surgery' },
    ];
    underTest = await gatewayEnv(databaseUrl, { INFLUX_URL: influx.url, INFLUX_DATABASE: influx.database });
    gateway = await AppProcess.start('gateway', underTest.env, underTest.mqttPort);
    store = new InfluxReadingStore(influx);
    await store.init();
  });

  afterAll(async () => {
    await store?.close();
    await gateway?.stop();
  });

  it('backfills half a day with hypo, BP crisis, offline backfill, duplicates and bad payloads; the store holds exactly the distinct readings the summary counts', async () => {
    const summary = await runSimulation({
      brokerUrl: underTest.mqttUrl,
      devices,
      seed: 'int-spec',
      days: 0.5,
      batchSize: 100,
      scenarios: ['hypo', 'bp-crisis', 'offline-backfill', 'duplicates', 'bad-payloads'],
      live: false,
    });

    // Every bad payload refused with the code the protocol documents, nothing else refused.
    expect(summary.rejectedByCode).toEqual(summary.expectedRejectionsByCode);
    expect(summary.rejectedByCode).toEqual({ malformed_json: 3, invalid_payload: 9, unknown_metric: 3, out_of_range: 3 });
    expect(summary.messagesAcknowledged).toBe(summary.messagesSent);
    expect(summary.readingsUnacknowledged).toBe(0);
    expect(summary.duplicatesResent).toBeGreaterThan(0);
    expect(summary.offlineBackfillReadings).toBeGreaterThan(0);
    // 12 h of CGM every 5 min; the wearable's heart rate every 10 min.
    expect(summary.perMetric.glucose?.sent).toBeGreaterThanOrEqual(144);
    expect(summary.perMetric.heart_rate?.sent).toBeGreaterThanOrEqual(72);

    const [glucose, others] = await waitFor('the readings in the store', async () => {
      const stored = [await storedFor(diabetic.patientId), await storedFor(recovering.patientId)];
      return stored[0].length + stored[1].length >= summary.distinctReadingsStored ? stored : undefined;
    });
    expect(glucose.length + others.length).toBe(summary.distinctReadingsStored);

    // The hypo: CGM readings below 54 mg/dL spanning >= 15 min (docs/clinical-references.md level 2, Danne 2017 episode).
    const lows = glucose.filter((reading) => reading.values.value < 54).map((reading) => Date.parse(reading.measuredAt));
    expect(Math.max(...lows) - Math.min(...lows)).toBeGreaterThanOrEqual(15 * 60_000);
    // The crisis: three readings above 180/120 mmHg.
    const crisis = others.filter((reading) => reading.metric === 'blood_pressure' && reading.values.systolic > 180 && reading.values.diastolic > 120);
    expect(crisis).toHaveLength(3);
    expect(new Set(others.map((reading) => reading.metric))).toEqual(new Set(['blood_pressure', 'heart_rate', 'spo2', 'steps']));
  });

  it('replays history at 600x and counts the readings of a clock running 2 h ahead as refused with future_timestamp', async () => {
    const summary = await runSimulation({
      brokerUrl: underTest.mqttUrl,
      devices: devices.slice(0, 1),
      seed: 'int-spec-skew',
      days: 0.02,
      batchSize: 100,
      speed: 600,
      scenarios: ['clock-skew'],
      live: false,
    });
    expect(summary.rejectedByCode.future_timestamp).toBeGreaterThan(0);
    expect(summary.rejectedByCode).toEqual(summary.expectedRejectionsByCode);
    expect(summary.readingsAccepted + summary.rejectedByCode.future_timestamp!).toBe(summary.readingsSent);
    // Nothing from the future reached the store.
    const stored = await storedFor(diabetic.patientId);
    expect(stored.every((reading) => Date.parse(reading.measuredAt) <= Date.now() + 5 * 60_000)).toBe(true);
  });
});
