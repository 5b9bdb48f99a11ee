import { devicesFileSchema } from '../device-simulators/src/provisioning/devices-file';
import { ApiClient } from '../test/support/api-client';
import { freePort } from '../test/support/free-port';
import { PlatformProcess } from '../test/support/platform-process';
import { waitFor } from '../test/support/wait-for';
import { DEMO_COHORT, demoCohortDevices } from './demo-cohort';
import { DEMO } from './demo-seed';

interface Summary {
  glucose: { readings: number; tir: number; tbr54: number; coveragePercent: number } | null;
  bloodPressure: { systolic: number; diastolic: number; readings: number; controlled: boolean } | null;
}

const patientId = (name: string) => DEMO_COHORT.find((patient) => patient.name === name)!.id;

describe('the demo cohort: npm start on embedded defaults seeds it and backfills 14 days through the simulator', () => {
  let platform: PlatformProcess;
  let doctor: ApiClient;

  beforeAll(async () => {
    for (const variable of ['DATABASE_URL', 'INFLUX_URL', 'DEMO_SEED', 'DEMO_COHORT']) delete process.env[variable];
    platform = await PlatformProcess.start({ EMBEDDED_POSTGRES_PORT: String(await freePort()) });
    doctor = await ApiClient.login(platform.httpUrl, DEMO.doctor.email, DEMO.doctor.password);
  }, 120_000);

  afterAll(() => platform?.stop());

  it('lists valid, distinct device credentials the simulator can play', () => {
    const devices = devicesFileSchema.parse(demoCohortDevices());
    expect(new Set(devices.map((device) => device.deviceId)).size).toBe(devices.length);
  });

  it('shows the demo doctor every cohort patient beside the demo patient', async () => {
    const { body } = await doctor.get<{ patients: { id: string }[] }>('/patients');
    expect(body.patients.map((patient) => patient.id).sort()).toEqual([DEMO.patient.id, ...DEMO_COHORT.map((patient) => patient.id)].sort());
  });

  it('backfills 14 days of CGM: the well-controlled patient meets the TIR > 70% target, the unstable one has time below 54 mg/dL (docs/clinical-references.md)', async () => {
    const summaryOf = (id: string) => doctor.get<Summary>(`/patients/${id}/summary`).then((response) => response.body);
    const [ellis, okafor] = await waitFor(
      '14 days of CGM for both CGM patients',
      async () => {
        const summaries = [await summaryOf(patientId('Margaret Ellis')), await summaryOf(patientId('Daniel Okafor'))];
        return summaries.every((summary) => (summary.glucose?.coveragePercent ?? 0) >= 99) ? summaries : undefined;
      },
      60_000,
      500,
    );
    expect(ellis.glucose!.tir).toBeGreaterThan(70);
    expect(okafor.glucose!.tir).toBeLessThan(ellis.glucose!.tir);
    expect(okafor.glucose!.tbr54).toBeGreaterThan(0);
    expect(okafor.bloodPressure?.readings).toBeGreaterThan(0);
    const becker = await summaryOf(patientId('Thomas Becker'));
    expect(becker.bloodPressure).toEqual(expect.objectContaining({ controlled: false }));
  });

  it('raises the alerts of the cohort scenarios: a hypertensive crisis and a level 2 hypo', async () => {
    const alertsOf = async (name: string) =>
      (await doctor.get<{ alerts: { ruleId: string; episode: string; status: string }[] }>(`/patients/${patientId(name)}/alerts`)).body.alerts;
    const rulesOf = async (name: string) => (await alertsOf(name)).map((alert) => alert.ruleId);
    await waitFor(
      'the scenario alerts',
      async () => {
        const [becker, okafor] = [await rulesOf('Thomas Becker'), await rulesOf('Daniel Okafor')];
        return becker.some((rule) => rule.startsWith('bp.crisis_')) && okafor.includes('glucose.level2_hypo') ? true : undefined;
      },
      60_000,
      500,
    );
    // Systolic and diastolic crisis are one episode: at most one live crisis alert.
    const liveCrises = (await alertsOf('Thomas Becker')).filter((alert) => alert.episode === 'bp-crisis' && alert.status !== 'resolved');
    expect(liveCrises.length).toBeLessThanOrEqual(1);
    expect(await rulesOf('Margaret Ellis')).not.toContain('glucose.level2_hypo');
  });
});
