import { Client } from 'pg';
import { SimulatedDevice } from '../../../device-simulators/src/simulated-device';
import { AppProcess } from '../../../test/support/app-process';
import { registerDevices } from '../../../test/support/device-fleet';
import { createClinic } from '../../../test/support/fixtures';
import { freePort } from '../../../test/support/free-port';
import { TEST_INTERNAL_PASSWORD, gatewayEnv } from '../../../test/support/gateway-env';
import { createTestDatabase } from '../../../test/support/test-services';
import { waitFor } from '../../../test/support/wait-for';

const PATIENTS = 20;
/** One hypo episode per patient: level 1, then level 2 (one alert, raised to urgent), then recovery past both hysteresis bands. */
const EPISODE = [112, 96, 80, 66, 55, 50, 46, 49, 58, 71, 84, 97];

describe('alerting durability', () => {
  it('loses no alert and opens none twice across kill -9 of the alerting app mid-stream', async () => {
    const databaseUrl = await createTestDatabase();
    const clinics = await Promise.all(Array.from({ length: PATIENTS }, (_, n) => createClinic(databaseUrl, `crash${n}`)));
    const devices = (await Promise.all(clinics.map((clinic) => registerDevices(databaseUrl, clinic.patientId, 1)))).flat();
    const underTest = await gatewayEnv(databaseUrl);
    const gateway = await AppProcess.start('gateway', underTest.env, underTest.mqttPort);
    const alertingEnv = {
      DATABASE_URL: databaseUrl,
      MQTT_URL: underTest.mqttUrl,
      MQTT_PASSWORD: TEST_INTERNAL_PASSWORD,
      LATE_READING_MINUTES: '120',
      LOG_LEVEL: 'log',
      ALERTING_HTTP_HOST: '127.0.0.1',
      ALERTING_HTTP_PORT: String(await freePort()),
    };
    const startAlerting = () => AppProcess.start('alerting', alertingEnv, { logLine: 'alerting subscribed to accepted readings' });
    let alerting = await startAlerting();
    const simulated = await Promise.all(devices.map((device) => SimulatedDevice.connect(underTest.mqttUrl, device)));
    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    try {
      const streaming = Promise.all(
        simulated.map(async (device) => {
          for (const [index, value] of EPISODE.entries()) {
            const measuredAt = new Date(Date.now() - (EPISODE.length - index) * 5 * 60_000).toISOString();
            await device.publish({ metric: 'glucose', value, unit: 'mg/dL', source: 'cgm', measuredAt, seq: index });
            await new Promise((resolve) => setTimeout(resolve, 60));
          }
        }),
      );
      for (let kill = 0; kill < 3; kill++) {
        await new Promise((resolve) => setTimeout(resolve, 150 + Math.random() * 200));
        await alerting.stop('SIGKILL');
        alerting = await startAlerting();
      }
      await streaming;

      const perPatient = await waitFor(
        'every episode evaluated and resolved',
        async () => {
          const { rows } = await sql.query<{ patient_id: string; episodes: number; resolved: number; urgent: number }>(
            `SELECT patient_id, count(*)::int AS episodes, count(*) FILTER (WHERE status = 'resolved')::int AS resolved,
                    count(*) FILTER (WHERE severity = 'urgent' AND rule_id = 'glucose.level2_hypo')::int AS urgent
               FROM alerts WHERE episode = 'glucose-low' GROUP BY 1`,
          );
          const done = rows.length === PATIENTS && rows.every((row) => row.resolved === row.episodes);
          return done ? rows : undefined;
        },
        60_000,
        250,
      );
      // Level 1 and level 2 are one episode: one alert per patient, raised to urgent when level 2 fired.
      expect(perPatient.every((row) => row.episodes === 1 && row.urgent === 1)).toBe(true);
    } finally {
      await sql.end();
      await Promise.all(simulated.map((device) => device.close()));
      await alerting.stop();
      await gateway.stop();
    }
  }, 120_000);
});
