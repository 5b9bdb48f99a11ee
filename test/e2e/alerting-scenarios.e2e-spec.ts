import type { DeviceReading } from '@rpm/contracts';
import { Client } from 'pg';
import { SimulatedDevice } from '../../device-simulators/src/simulated-device';
import { ApiClient } from '../support/api-client';
import { createClinic, type ClinicFixture } from '../support/fixtures';
import { PlatformProcess } from '../support/platform-process';
import { createTestDatabase } from '../support/test-services';
import { waitFor } from '../support/wait-for';
import { WebhookReceiver } from '../support/webhook-receiver';
import { SmtpSink } from '../support/smtp-sink';

interface Alert {
  id: string;
  ruleId: string;
  ruleVersion: number;
  episode: string;
  severity: string;
  status: string;
  reason: string;
  retrospective: boolean;
  escalatedAt: string | null;
}

const WEBHOOK_SECRET = 'webhook-secret-for-tests';
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const cgm = (value: number, minutes: number, seq: number): DeviceReading => ({
  metric: 'glucose',
  value,
  unit: 'mg/dL',
  source: 'cgm',
  measuredAt: minutesAgo(minutes),
  seq,
});

describe('alerting scenarios over MQTT against the running platform', () => {
  let platform: PlatformProcess;
  let databaseUrl: string;
  let webhook: WebhookReceiver;
  let smtp: SmtpSink;
  let smsGateway: WebhookReceiver;

  async function patientWithDevice(label: string) {
    const clinic = await createClinic(databaseUrl, label);
    const device = await SimulatedDevice.connect(platform.mqttUrl, clinic.device);
    const doctor = await ApiClient.login(platform.httpUrl, clinic.doctor.email, clinic.doctor.password);
    const alerts = async (status?: string) =>
      (await doctor.get<{ alerts: Alert[] }>(`/patients/${clinic.patientId}/alerts${status ? `?status=${status}` : ''}`)).body.alerts;
    return { clinic, device, doctor, alerts };
  }
  const webhooksFor = (alertId: string) => webhook.received.filter((hook) => hook.body.alertId === alertId);

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    webhook = await WebhookReceiver.start(WEBHOOK_SECRET);
    smtp = await SmtpSink.start();
    smsGateway = await WebhookReceiver.start('unused');
    platform = await PlatformProcess.start({
      DATABASE_URL: databaseUrl,
      DEMO_SEED: 'false',
      LATE_READING_MINUTES: '45',
      ESCALATE_URGENT_AFTER_MINUTES: '0.05',
      SCHEDULED_RULES_EVERY_SECONDS: '1',
      ALERT_WEBHOOK_URL: webhook.url,
      ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET,
      ALERT_EMAIL_SMTP_URL: smtp.url,
      ALERT_ESCALATION_EMAIL: 'on-call@example.org',
      ALERT_SMS_GATEWAY_URL: smsGateway.url,
      ALERT_SMS_GATEWAY_TOKEN: 'sms-token',
    });
  }, 90_000);

  afterAll(async () => {
    await platform?.stop();
    await webhook?.stop();
    smtp?.stop();
    await smsGateway?.stop();
  });

  it('a hypo episode gives one alert with its reason, pages once, and resolves on recovery', async () => {
    const { device, alerts } = await patientWithDevice('hypo');
    const episode = [118, 104, 88, 72, 61, 52, 49, 47, 50, 58, 66, 79, 92];
    for (const [index, value] of episode.entries()) await device.publish(cgm(value, (episode.length - index) * 5 - 4, index));

    // Level 1 then level 2 hypoglycaemia are one episode: one alert, opened as a warning and raised to urgent.
    const resolved = await waitFor('the low-glucose episode resolved', async () => {
      const low = (await alerts()).filter((alert) => alert.episode === 'glucose-low');
      return low.length === 1 && low[0].status === 'resolved' ? low : undefined;
    });
    expect(resolved[0]).toEqual(
      expect.objectContaining({
        ruleId: 'glucose.level2_hypo',
        severity: 'urgent',
        retrospective: false,
        reason: expect.stringMatching(/^Level 2 hypoglycaemia: 4 readings below 54 mg\/dL over 15 min \(lowest 47 mg\/dL\)$/),
        severityChanges: [expect.objectContaining({ from: 'warning', to: 'urgent', ruleId: 'glucose.level2_hypo' })],
      }),
    );
    const all = await alerts();
    const perEpisode = all.reduce<Record<string, number>>((count, alert) => ({ ...count, [alert.episode]: (count[alert.episode] ?? 0) + 1 }), {});
    expect(Object.values(perEpisode).every((count) => count === 1)).toBe(true);
    const paged = await waitFor('the pages for the episode', async () => (webhooksFor(resolved[0].id).length === 2 ? webhooksFor(resolved[0].id) : undefined));
    expect(paged.map((hook) => hook.body.event)).toEqual(['opened', 'raised']);
    expect(paged[1]).toEqual({ body: expect.objectContaining({ event: 'raised', ruleId: 'glucose.level2_hypo', severity: 'urgent' }), signatureValid: true });
    await device.close();
  });

  it('a blood pressure crisis pages urgently, streams live to the care team, and escalates unless acknowledged', async () => {
    const acknowledged = await patientWithDevice('crisis-ack');
    const ignored = await patientWithDevice('crisis-ignored');
    const events: string[] = [];
    const stream = await fetch(`${platform.httpUrl}/alerts/stream`, { headers: { authorization: acknowledged.doctor.authorization } });
    const reader = stream.body!.getReader();
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        events.push(Buffer.from(value).toString());
      }
    })().catch(() => undefined);

    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    await sql.query('UPDATE users SET phone = $1 WHERE email = $2', ['+447700900123', acknowledged.clinic.doctor.email]);
    await sql.end();
    const crisis: DeviceReading = { metric: 'blood_pressure', systolic: 186, diastolic: 112, pulse: 88, unit: 'mmHg', measuredAt: minutesAgo(0.2) };
    await acknowledged.device.publish(crisis);
    await ignored.device.publish(crisis);
    const [alertA] = await waitFor('the crisis alert', async () => {
      const open = await acknowledged.alerts('open');
      return open.length ? open : undefined;
    });
    expect(alertA).toEqual(
      expect.objectContaining({
        ruleId: 'bp.crisis_systolic',
        severity: 'urgent',
        reason: 'Hypertensive crisis: blood_pressure systolic 186 mmHg is above 180 mmHg',
      }),
    );
    const { status, body } = await acknowledged.doctor.post<Alert>(`/patients/${acknowledged.clinic.patientId}/alerts/${alertA.id}/acknowledge`);
    expect(status).toBe(200);
    expect(body.status).toBe('acknowledged');

    const [alertB] = await waitFor('the unacknowledged alert escalated', async () => {
      const open = (await ignored.alerts('open')).filter((alert) => alert.escalatedAt);
      return open.length ? open : undefined;
    });
    await waitFor('the escalation webhook', async () => (webhooksFor(alertB.id).some((hook) => hook.body.event === 'escalated') ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 4000)); // past the escalation time of the acknowledged one
    expect((await acknowledged.alerts()).find((alert) => alert.id === alertA.id)?.escalatedAt).toBeNull();
    expect(webhooksFor(alertA.id).map((hook) => hook.body.event)).toEqual(['opened']);
    // E-mail: the care team hears of both; only the unacknowledged one also goes to the on-call address.
    await waitFor('the escalation e-mail', async () =>
      smtp.received.includes('ESCALATED, not acknowledged: [urgent] Hypertensive crisis') ? true : undefined,
    );
    expect(smtp.received).toContain(acknowledged.clinic.doctor.email);
    expect(smtp.received).toContain(`Alert ${alertB.id}`);
    expect(smtp.received).toContain('on-call@example.org');
    expect(smtp.received.split('ESCALATED, not acknowledged: [urgent] Hypertensive crisis').length - 1).toBe(1);
    // SMS: urgent alerts to the care team's clinicians who have a mobile number.
    const texts = await waitFor('the SMS', async () => {
      const sent = smsGateway.received.filter((message) => message.body.to === '+447700900123');
      return sent.length ? sent : undefined;
    });
    expect(texts[0].body.text).toBe(`Hypertensive crisis: blood_pressure systolic 186 mmHg is above 180 mmHg [${alertA.id.slice(0, 8)}]`);
    expect(events.join('')).toContain(`"alertId":"${alertA.id}"`);
    expect(events.join('')).not.toContain(alertB.id);
    await reader.cancel();
    await Promise.all([acknowledged.device.close(), ignored.device.close()]);
  });

  it('a silent CGM alerts from the clock, while a late backfill of an old low is recorded without paging', async () => {
    const silent: ClinicFixture = await createClinic(databaseUrl, 'silent');
    // A CGM that delivered its last reading 40 minutes ago and nothing since.
    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    await sql.query(
      `INSERT INTO readings (patient_id, device_id, metric, measured_at, received_at, seq, unit, "values", original, context)
       VALUES ($1, $2, 'glucose', $3, $3, 1, 'mg/dL', '{"value":120}', '{"unit":"mg/dL","values":{"value":120}}', '{"source":"cgm"}')`,
      [silent.patientId, silent.device.deviceId, minutesAgo(40)],
    );
    await sql.end();
    const doctor = await ApiClient.login(platform.httpUrl, silent.doctor.email, silent.doctor.password);
    const stale = await waitFor('the stale CGM alert', async () => {
      const { body } = await doctor.get<{ alerts: Alert[] }>(`/patients/${silent.patientId}/alerts?status=open`);
      return body.alerts.length ? body.alerts : undefined;
    });
    expect(stale).toEqual([
      expect.objectContaining({ ruleId: 'glucose.cgm_stale_urgent', reason: expect.stringMatching(/^CGM data stale: no CGM glucose reading for 4\d min/) }),
    ]);

    const { device, alerts } = await patientWithDevice('backfill');
    await device.publish({ readings: [cgm(62, 180, 1), cgm(50, 175, 2), cgm(48, 170, 3), cgm(64, 165, 4), cgm(80, 160, 5), cgm(110, 2, 6)] });
    const recorded = await waitFor('the retrospective episode', async () => {
      const level2 = (await alerts()).filter((alert) => alert.ruleId === 'glucose.level2_hypo');
      return level2.length ? level2 : undefined;
    });
    expect(recorded).toEqual([expect.objectContaining({ retrospective: true, status: 'resolved' })]);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(webhooksFor(recorded[0].id)).toEqual([]);
    await device.close();
  });

  it("one patient's corrupted rule override holds up no one's alerts: that rule keeps its default, and the fault is logged and counted", async () => {
    const corrupt = await patientWithDevice('corrupt-override');
    const other = await patientWithDevice('next-to-corrupt');
    // A row written around the API (a manual fix, a bad migration): the rule schema refuses it.
    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    await sql.query(`INSERT INTO patient_rule_overrides (patient_id, rule_id, version, params) VALUES ($1, 'glucose.level2_hypo', 2, '{"threshold":"high"}')`, [
      corrupt.clinic.patientId,
    ]);
    await sql.end();

    await corrupt.device.publish(cgm(48, 1, 1));
    await other.device.publish(cgm(47, 1, 1));
    const level2 = (alerts: Alert[]) => alerts.filter((alert) => alert.ruleId === 'glucose.level2_hypo');
    const [otherAlert] = await waitFor("the other patient's alert", async () => {
      const open = level2(await other.alerts('open'));
      return open.length ? open : undefined;
    });
    expect(otherAlert).toEqual(expect.objectContaining({ severity: 'urgent', ruleVersion: 1 }));
    const [ownAlert] = await waitFor("the corrupted patient's alert under the default rule", async () => {
      const open = level2(await corrupt.alerts('open'));
      return open.length ? open : undefined;
    });
    expect(ownAlert.ruleVersion).toBe(1);
    const metrics = await (await fetch(`${platform.alertingHttpUrl}/metrics`)).text();
    expect(metrics).toMatch(/^rpm_alerting_evaluation_failures_total\{reason="invalid_rule_override"\} [1-9]/m);
    // Evaluation is counted and its lag exposed beside the other alerting metrics, and readiness checks it.
    expect(metrics).toMatch(/^rpm_alerting_readings_evaluated_total [1-9]/m);
    expect(metrics).toMatch(/^rpm_alerting_evaluation_lag_seconds \d/m);
    const ready = (await (await fetch(`${platform.alertingHttpUrl}/health/ready`)).json()) as { checks: Record<string, string> };
    expect(ready.checks).toEqual(expect.objectContaining({ evaluation: 'up' }));
    expect(platform.log).toMatch(new RegExp(`rule override invalid.*${corrupt.clinic.patientId}.*glucose\\.level2_hypo`));
    await Promise.all([corrupt.device.close(), other.device.close()]);
  });

  // Was: the urgent alert stepped the plan up by itself. Now (issue 13) the assessment proposes with its reasons
  // and only the clinician's confirmation moves the due date; an override works after a confirmation too.
  it('an urgent alert proposes weekly contact at once; the clinician confirms, then overrides the confirmed change', async () => {
    const { clinic, device, doctor } = await patientWithDevice('plan');
    const plan = `/patients/${clinic.patientId}/follow-up`;
    const enrolled = await doctor.post<{ plan: { pathway: string; intervalDays: number; status: string } }>(plan, { pathway: 'diabetes' });
    expect(enrolled.status).toBe(201);
    expect(enrolled.body.plan).toEqual(expect.objectContaining({ pathway: 'diabetes', intervalDays: 30, status: 'scheduled' }));
    expect((await doctor.post(plan, { pathway: 'hypertension' })).status).toBe(409);

    await device.publish({ metric: 'blood_pressure', systolic: 192, diastolic: 118, unit: 'mmHg', measuredAt: minutesAgo(0.1) });
    type View = { plan: { tier: string; intervalDays: number }; changes: { id: number; kind: string; reason: string; status: string }[] };
    const proposed = await waitFor('the step up proposed', async () => {
      const { body } = await doctor.get<View>(plan);
      return body.changes[0]?.status === 'proposed' ? body : undefined;
    });
    expect(proposed.plan.intervalDays).toBe(30);
    expect(proposed.changes[0]).toEqual(
      expect.objectContaining({
        kind: 'step_up',
        reason: 'weekly while glucose swings (every 7 days): 1 urgent alerts in 30 days (live or retrospective)',
      }),
    );

    const confirmed = await doctor.post<View>(`${plan}/changes/${proposed.changes[0].id}/confirm`);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.plan).toEqual(expect.objectContaining({ tier: 'high', intervalDays: 7 }));
    const overridden = await doctor.post<View>(`${plan}/changes/${proposed.changes[0].id}/override`, { intervalDays: 10 });
    expect(overridden.status).toBe(200);
    expect(overridden.body.plan.intervalDays).toBe(10);
    expect(overridden.body.changes[0].status).toBe('overridden');
    expect((await doctor.post(`${plan}/changes/${proposed.changes[0].id}/confirm`)).status).toBe(404);
    await device.close();
  });

  it("a care team's override changes a patient's threshold under a new version, which the alert records", async () => {
    const { clinic, device, doctor, alerts } = await patientWithDevice('override');
    const rules = `/patients/${clinic.patientId}/rules`;
    // This patient's team wants to hear about systolic pressure above 160 rather than 180.
    const saved = await doctor.put<{ version: number; effective: { threshold: Record<string, number> } }>(`${rules}/bp.crisis_systolic`, {
      params: { threshold: { mmHg: 160 }, title: 'Systolic above the care plan limit' },
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual(expect.objectContaining({ version: 2, effective: expect.objectContaining({ threshold: { mmHg: 160 } }) }));
    expect((await doctor.put(`${rules}/bp.crisis_systolic`, { params: { kind: 'threshold' } })).status).toBe(400);
    expect((await doctor.put(`${rules}/bp.crisis_systolic`, { params: { threshold: 'high' } })).status).toBe(400);
    expect((await doctor.put(`${rules}/no.such_rule`, { params: {} })).status).toBe(404);
    // Nonsense is refused per rule kind, naming the field and the range.
    for (const [ruleId, params, message] of [
      ['glucose.level2_hyper', { threshold: { 'mg/dL': -5 } }, 'threshold.mg/dL: glucose value threshold must be from 20 to 600 mg/dL, not -5'],
      ['bp.crisis_diastolic', { threshold: { mmHg: 250 } }, 'threshold.mmHg: blood_pressure diastolic threshold must be from 30 to 200 mmHg, not 250'],
      ['spo2.low', { threshold: { '%': 120 } }, 'threshold.%: spo2 value threshold must be from 50 to 100 %, not 120'],
      ['glucose.cgm_stale', { afterMinutes: 0 }, 'afterMinutes: a duration must be more than 0'],
    ] as const) {
      const refused = await doctor.put<{ message: string[] }>(`${rules}/${ruleId}`, { params });
      expect({ status: refused.status, message: refused.body.message }).toEqual({ status: 400, message: [message] });
    }
    const misspelt = await doctor.put<{ message: string }>(`${rules}/bp.crisis_systolic`, { params: { treshold: { mmHg: 160 } } });
    expect(misspelt.status).toBe(400);
    expect(misspelt.body.message).toMatch(/^a threshold rule has no field treshold/);
    // A changed threshold is what the title cites.
    const hyper = await doctor.put<{ effective: { title: string } }>(`${rules}/glucose.level2_hyper`, { params: { threshold: { 'mg/dL': 200 } } });
    expect(hyper.body.effective.title).toBe('Level 2 hyperglycaemia (twice above 200 mg/dL), check ketones');

    // Measured after the change: readings from before it count for nothing under the changed rule.
    await device.publish({ metric: 'blood_pressure', systolic: 165, diastolic: 95, unit: 'mmHg', measuredAt: minutesAgo(0) });
    const [alert] = await waitFor('the alert under the overridden rule', async () => {
      const open = await alerts('open');
      return open.length ? open : undefined;
    });
    expect(alert).toEqual(
      expect.objectContaining({
        ruleId: 'bp.crisis_systolic',
        reason: 'Systolic above the care plan limit: blood_pressure systolic 165 mmHg is above 160 mmHg',
      }),
    );
    expect(alert.ruleVersion).toBe(2);
    await device.close();
  });
});
