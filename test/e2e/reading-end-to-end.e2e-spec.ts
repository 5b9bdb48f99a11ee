import type { NormalizedReading } from '@rpm/contracts';
import { SimulatedDevice } from '../../device-simulators/src/simulated-device';
import { DEMO } from '../../scripts/demo-seed';
import { ApiClient } from '../support/api-client';
import { createClinic, type ClinicFixture } from '../support/fixtures';
import { PlatformProcess } from '../support/platform-process';
import { createTestDatabase, testServices, uniqueInfluxDatabase } from '../support/test-services';
import { waitFor } from '../support/wait-for';

interface AlertBody {
  ruleId: string;
  severity: string;
  status: string;
  reason: string;
  readings: { deviceId: string; values: Record<string, number> }[];
}

const stores: [string, () => Record<string, string>][] = [
  ['InfluxDB', () => ({ INFLUX_URL: testServices().influxUrl, INFLUX_DATABASE: uniqueInfluxDatabase() })],
  ['the embedded PostgreSQL store', () => ({})],
];

describe.each(stores)('one reading end to end, stored in %s', (_store, storeEnv) => {
  let platform: PlatformProcess;
  let outsider: ClinicFixture;
  let device: SimulatedDevice;
  const measuredAt = new Date(Date.now() - 60_000).toISOString();
  const patientPath = `/patients/${DEMO.patient.id}`;

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    platform = await PlatformProcess.start({ DATABASE_URL: databaseUrl, DEMO_SEED: 'true', ...storeEnv() });
    outsider = await createClinic(databaseUrl, 'outsider');
    device = await SimulatedDevice.connect(platform.mqttUrl, { deviceId: DEMO.device.id, secret: DEMO.device.secret });
  });

  afterAll(async () => {
    await device?.close();
    await platform?.stop();
  });

  it('stores a QoS 1 glucose reading, raises an urgent alert below 54 mg/dL and shows both to the care team', async () => {
    await device.publish({ metric: 'glucose', value: 48, unit: 'mg/dL', source: 'meter', measuredAt, seq: 1 });

    const doctor = await ApiClient.login(platform.httpUrl, DEMO.doctor.email, DEMO.doctor.password);
    // PUBACK means on the gateway's disk; the spool drains to the store within moments.
    const readings = await waitFor('the reading in the stream', async () => {
      const { body } = await doctor.get<{ readings: NormalizedReading[] }>(`${patientPath}/readings?metric=glucose`);
      return body.readings.length > 0 ? body.readings : undefined;
    });
    expect(readings).toEqual([expect.objectContaining({ deviceId: DEMO.device.id, measuredAt, values: { value: 48 }, unit: 'mg/dL', seq: 1 })]);

    const alerts = await waitFor('the hypoglycaemia alert', async () => {
      const { body } = await doctor.get<{ alerts: AlertBody[] }>(`${patientPath}/alerts?status=open`);
      return body.alerts.length > 0 ? body.alerts : undefined;
    });
    expect(alerts).toEqual([
      expect.objectContaining({
        ruleId: 'glucose.level2_hypo',
        severity: 'urgent',
        status: 'open',
        reason: 'Level 2 hypoglycaemia: glucose 48 mg/dL is below 54 mg/dL',
        readings: [expect.objectContaining({ deviceId: DEMO.device.id, values: { value: 48 } })],
      }),
    ]);
  });

  it("returns nothing of the patient to a doctor outside the patient's care team", async () => {
    const stranger = await ApiClient.login(platform.httpUrl, outsider.doctor.email, outsider.doctor.password);
    const {
      body: { patients },
    } = await stranger.get<{ patients: { id: string }[] }>('/patients');
    expect(patients.map((patient) => patient.id)).toEqual([outsider.patientId]);
    for (const path of [patientPath, `${patientPath}/readings`, `${patientPath}/alerts`]) {
      const response = await stranger.get(path);
      expect({ path, status: response.status, body: response.body }).toEqual({
        path,
        status: 404,
        body: expect.objectContaining({ message: 'patient not found' }),
      });
    }
  });

  it('refuses every patient route without a valid token', async () => {
    const anonymous = ApiClient.anonymous(platform.httpUrl);
    for (const path of ['/patients', patientPath, `${patientPath}/readings`, `${patientPath}/alerts`]) {
      expect((await anonymous.get(path)).status).toBe(401);
    }
  });

  it('answers an invalid reading on the reply topic with a machine-readable reason and stores the valid ones', async () => {
    const at = new Date(Date.now() - 30_000).toISOString();
    await device.publish({
      readings: [
        { metric: 'glucose', value: 110, unit: 'mg/dL', source: 'meter', measuredAt: at, seq: 2 },
        { metric: 'glucose', value: 'high', unit: 'mg/dL', source: 'meter', measuredAt: at, seq: 3 },
      ],
    });
    const reply = await device.nextReply();
    expect(reply).toEqual(
      expect.objectContaining({ status: 'partial', accepted: 1, rejected: [expect.objectContaining({ index: 1, code: 'invalid_payload' })] }),
    );
    const doctor = await ApiClient.login(platform.httpUrl, DEMO.doctor.email, DEMO.doctor.password);
    const values = await waitFor('the valid reading of the batch', async () => {
      const { body } = await doctor.get<{ readings: NormalizedReading[] }>(`${patientPath}/readings`);
      return body.readings.length === 2 ? body.readings.map((reading) => reading.values.value) : undefined;
    });
    expect(values).toEqual([48, 110]);
  });

  it('exports the readings as FHIR Observations and the open alert as a Flag', async () => {
    const doctor = await ApiClient.login(platform.httpUrl, DEMO.doctor.email, DEMO.doctor.password);
    type Bundle = { resourceType: string; total: number; entry: { resource: Record<string, unknown> }[] };
    const { body: observations } = await doctor.get<Bundle>(`${patientPath}/fhir/Observation`);
    expect(observations).toEqual(expect.objectContaining({ resourceType: 'Bundle', total: 2 }));
    expect(observations.entry[0].resource).toEqual(
      expect.objectContaining({
        resourceType: 'Observation',
        code: expect.objectContaining({ coding: [expect.objectContaining({ system: 'http://loinc.org', code: '41653-7' })] }),
        valueQuantity: { value: 48, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
        subject: { reference: `Patient/${DEMO.patient.id}` },
      }),
    );
    // The low of the first test recovered (110 mg/dL); a new one opens a new episode, exported as an active Flag.
    await device.publish({ metric: 'glucose', value: 45, unit: 'mg/dL', source: 'meter', measuredAt: new Date().toISOString(), seq: 9 });
    const flags = await waitFor('the open alert as a Flag', async () => {
      const { body } = await doctor.get<Bundle>(`${patientPath}/fhir/Flag`);
      return body.total > 0 ? body.entry.map((entry) => entry.resource) : undefined;
    });
    expect(flags).toEqual([
      expect.objectContaining({ resourceType: 'Flag', status: 'active', code: { text: expect.stringMatching(/^Level 2 hypoglycaemia/) } }),
    ]);
  });
});
