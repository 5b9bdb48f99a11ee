import { createDataSource } from '@rpm/persistence';
import type { DataSource } from 'typeorm';
import { ApiClient } from '../../../../test/support/api-client';
import { startApiInProcess } from '../../../../test/support/api-in-process';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { createTestDatabase } from '../../../../test/support/test-services';
import { DeliveryQueue } from '../delivery/delivery-queue';
import { AlertingMetrics } from '../observability/alerting-metrics';
import { JobFailures } from './job-failures';
import { PatientReportedAlertsJob } from './patient-reported-alerts.job';

const phq9 = (values: number[]) => Object.fromEntries(values.map((value, index) => [`phq9-${index + 1}`, value]));

describe('alerts raised by questionnaire answers reach the delivery queue', () => {
  let api: Awaited<ReturnType<typeof startApiInProcess>>;
  let clinic: ClinicFixture;
  let doctor: ApiClient;
  let dataSource: DataSource;
  let job: PatientReportedAlertsJob;

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    clinic = await createClinic(databaseUrl, 'pro');
    api = await startApiInProcess(databaseUrl);
    dataSource = await createDataSource(databaseUrl).initialize();
    doctor = await ApiClient.login(api.httpUrl, clinic.doctor.email, clinic.doctor.password);
    const channels = [
      { name: 'webhook', send: async () => undefined },
      { name: 'email', send: async () => undefined },
    ];
    job = new PatientReportedAlertsJob(dataSource, new DeliveryQueue(dataSource, channels), new JobFailures(new AlertingMetrics()), channels);
  });

  afterAll(async () => {
    await api?.close();
    await dataSource?.destroy();
  });

  it('queues one opened delivery per channel for the urgent PHQ-9 self-harm alert the API opened, however often it runs', async () => {
    const recorded = await doctor.post<{ alerts: { alertId: string }[] }>(`/patients/${clinic.patientId}/questionnaires/phq9/responses`, {
      answers: phq9([0, 0, 0, 0, 0, 0, 0, 0, 1]),
    });
    expect(recorded.status).toBe(201);
    const [{ alertId }] = recorded.body.alerts;
    await job.runOnce();
    await job.runOnce();
    const deliveries = await dataSource.query('SELECT channel, event, status FROM alert_deliveries WHERE alert_id = $1 ORDER BY channel', [alertId]);
    expect(deliveries).toEqual([
      { channel: 'email', event: 'opened', status: 'pending' },
      { channel: 'webhook', event: 'opened', status: 'pending' },
    ]);
    const [alert] = await dataSource.query('SELECT severity, episode, retrospective FROM alerts WHERE id = $1', [alertId]);
    expect(alert).toEqual({ severity: 'urgent', episode: 'phq9-self-harm', retrospective: false });
  });

  it('leaves alerts of reading rules alone (alerting queues those itself, in the transaction that opens them)', async () => {
    await dataSource.query(
      `INSERT INTO alerts (patient_id, episode, rule_id, rule_version, rule, severity, status, title, reason, readings, opened_at, last_reading_at, raised_at)
       VALUES ($1, 'glucose-low', 'glucose.level2_hypo', 1, '{}', 'urgent', 'open', 't', 'r', '[]', now(), now(), now())`,
      [clinic.patientId],
    );
    await job.runOnce();
    const [{ count }] = await dataSource.query(
      `SELECT count(*)::int AS count FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id WHERE a.rule_id = 'glucose.level2_hypo'`,
    );
    expect(count).toBe(0);
  });
});
