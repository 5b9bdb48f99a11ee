import { AppProcess } from '../../test/support/app-process';
import { registerDevices } from '../../test/support/device-fleet';
import { createClinic } from '../../test/support/fixtures';
import { gatewayEnv, type GatewayUnderTest } from '../../test/support/gateway-env';
import { createTestDatabase, testServices, uniqueInfluxDatabase } from '../../test/support/test-services';
import type { ProvisionedDevice } from './cohort/simulated-patient';
import { runSimulation, type SimulationOptions } from './simulator';
import { formatSummary } from './summary-report';

const stores: [string, () => Record<string, string>][] = [
  ['InfluxDB', () => ({ INFLUX_URL: testServices().influxUrl, INFLUX_DATABASE: uniqueInfluxDatabase() })],
  ['PostgreSQL', () => ({})],
];

/**
 * The simulator counts what the gateway stored from the gateway's receipts, not from what it sent: the
 * same history sent twice is stored new once, and the second run says every reading was already stored.
 */
describe.each(stores)('simulator summary from the gateway receipts (%s store)', (_store, storeEnv) => {
  let gateway: AppProcess | undefined;
  let underTest: GatewayUnderTest;
  let devices: ProvisionedDevice[];
  let databaseUrl: string;

  const start = async () => {
    gateway = await AppProcess.start('gateway', underTest.env, underTest.mqttPort);
  };

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    const clinic = await createClinic(databaseUrl, 'receipts');
    const [wearable] = await registerDevices(databaseUrl, clinic.patientId, 1);
    devices = [
      { patientId: clinic.patientId, ...clinic.device, kind: 'cgm', profile: 'diabetes-cgm' },
      { patientId: clinic.patientId, ...wearable, kind: 'wearable', profile: 'post-surgery' },
    ];
    underTest = await gatewayEnv(databaseUrl, storeEnv());
    await start();
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('says a rerun over history already stored was all deduplicated, also after a gateway restart', async () => {
    const pinned = Date.now();
    const options: SimulationOptions = {
      brokerUrl: underTest.mqttUrl,
      devices,
      seed: 'receipts',
      days: 0.25,
      batchSize: 50,
      scenarios: [],
      live: false,
      now: () => pinned,
    };
    const first = await runSimulation(options);
    expect(first.readingsAccepted).toBeGreaterThan(100);
    expect(first.receipts).toEqual(expect.objectContaining({ complete: true, storedNew: first.readingsAccepted, alreadyStored: 0, stray: 0 }));
    expect(formatSummary(first)).toContain(`stored by gateway:      ${first.readingsAccepted} new, 0 already stored (deduplicated)`);

    const second = await runSimulation(options);
    expect(second.readingsAccepted).toBe(first.readingsAccepted);
    expect(second.receipts).toEqual(expect.objectContaining({ complete: true, storedNew: 0, alreadyStored: first.readingsAccepted, stray: 0 }));
    expect(formatSummary(second)).toContain(`stored by gateway:      0 new, ${first.readingsAccepted} already stored (deduplicated)`);

    // A restarted gateway has no high-water marks yet: its first write per device checks the store.
    await gateway!.stop();
    await start();
    const third = await runSimulation(options);
    expect(third.receipts).toEqual(expect.objectContaining({ complete: true, storedNew: 0, alreadyStored: first.readingsAccepted }));
  }, 120_000);
});
