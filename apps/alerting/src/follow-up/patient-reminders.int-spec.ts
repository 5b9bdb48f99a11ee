import { FollowUpPlanRepository, DeliveryRepository, PatientContactRepository, createDataSource } from '@rpm/persistence';
import { signPatientLink } from '@rpm/security';
import type { DataSource } from 'typeorm';
import { ApiClient } from '../../../../test/support/api-client';
import { startApiInProcess } from '../../../../test/support/api-in-process';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { SmtpSink } from '../../../../test/support/smtp-sink';
import { createTestDatabase } from '../../../../test/support/test-services';
import { WebhookReceiver } from '../../../../test/support/webhook-receiver';
import { EmailChannel } from '../delivery/email-channel';
import { VoiceChannel } from '../delivery/voice-channel';
import { SmsChannel } from '../delivery/sms-channel';
import { WebhookChannel } from '../delivery/webhook-channel';
import { JobFailures } from '../jobs/job-failures';
import { AlertingMetrics } from '../observability/alerting-metrics';
import { PatientReminders } from './patient-reminders';
import { CareTeamScope } from '@rpm/persistence';

const DAY = 86_400_000;
const SECRET = 'patient-link-secret-of-at-least-32-characters';

/*
 * Reminders to the patient against the real services: PostgreSQL, a fake SMS gateway and an IM/app-push
 * webhook (HTTP receivers), an SMTP sink, and the API in process answering the signed links. The job is
 * driven at chosen instants (quiet hours are checked against them); the API's links use the real clock, so
 * the due date lies a few days ahead of today.
 */
describe('reminders to the patient through their preferred channels', () => {
  let dataSource: DataSource;
  let api: Awaited<ReturnType<typeof startApiInProcess>>;
  let doctor: ApiClient;
  let sms: WebhookReceiver;
  let push: WebhookReceiver;
  let smtp: SmtpSink;
  let voice: WebhookReceiver;
  let reminders: PatientReminders;
  let contacts: PatientContactRepository;
  let a: ClinicFixture;
  let b: ClinicFixture;
  let c: ClinicFixture;
  let d: ClinicFixture;
  let doctorId: string;
  let dueAt: Date;
  // UTC midnight of `daysBefore` days before the due day, plus `hour` hours.
  const at = (daysBefore: number, hour: number) => new Date(Math.floor(dueAt.getTime() / DAY) * DAY - daysBefore * DAY + hour * 3_600_000);
  const patientHooks = (receiver: WebhookReceiver, patientId: string) =>
    receiver.received.map((hook) => hook.body).filter((body) => body.type === 'patient_reminder' && body.patientId === patientId);
  const texts = (to: string) => sms.received.map((hook) => hook.body).filter((body) => body.to === to);

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    dataSource = await createDataSource(databaseUrl).initialize();
    [a, b, c, d] = await Promise.all(['reminded', 'mailed', 'unconsented', 'called'].map((label) => createClinic(databaseUrl, label)));
    api = await startApiInProcess(databaseUrl, { PATIENT_LINK_SECRET: SECRET });
    [sms, push, voice] = await Promise.all([WebhookReceiver.start('sms'), WebhookReceiver.start('push-secret'), WebhookReceiver.start('voice')]);
    smtp = await SmtpSink.start();
    const scope = new CareTeamScope(dataSource);
    const failures = new JobFailures(new AlertingMetrics());
    reminders = new PatientReminders(
      dataSource,
      [
        new WebhookChannel(push.url, 'push-secret'),
        new SmsChannel(sms.url, 'token', scope),
        new EmailChannel(smtp.url, 'rpm@localhost', undefined, scope),
        new VoiceChannel(voice.url, 'voice-token'),
      ],
      { secret: SECRET, baseUrl: `${api.httpUrl}/` },
      failures,
    );
    contacts = new PatientContactRepository(dataSource);
    const plans = new FollowUpPlanRepository(dataSource);
    const anchor = new Date(Date.now() - 2 * DAY);
    for (const clinic of [a, b, c, d]) {
      const [{ id }] = await dataSource.query('SELECT id FROM users WHERE email = $1', [clinic.doctor.email]);
      doctorId = id;
      await plans.enrol(clinic.patientId, { pathway: 'post_surgery', anchorAt: anchor }, anchor, id);
    }
    dueAt = (await plans.plan(a.patientId))!.nextDueAt;
    doctor = await ApiClient.login(api.httpUrl, a.doctor.email, a.doctor.password);
  });

  afterAll(async () => {
    await api?.close();
    await Promise.all([sms?.stop(), push?.stop(), voice?.stop()]);
    smtp?.stop();
    await dataSource?.destroy();
  });

  it('records contact details and consent through the API, scoped and validated', async () => {
    const contact = { phone: '+447700900123', email: null, channels: ['webhook', 'sms'], language: 'en', quietHours: { start: '21:00', end: '08:00' } };
    expect((await doctor.put(`/patients/${a.patientId}/contact`, { ...contact, channels: ['email'] })).status).toBe(400);
    const saved = await doctor.put<{ channels: string[]; timeZone: string }>(`/patients/${a.patientId}/contact`, contact);
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual(expect.objectContaining({ channels: ['webhook', 'sms'], timeZone: 'UTC' }));
    expect((await doctor.get(`/patients/${b.patientId}/contact`)).status).toBe(404);
    expect((await doctor.post(`/patients/${a.patientId}/consents`, { scope: 'contact_channels' })).status).toBe(201);
    expect((await doctor.post(`/patients/${a.patientId}/consents`, { scope: 'contact_channels' })).status).toBe(409);
    const consents = await doctor.post<{ active: string[] }>(`/patients/${a.patientId}/consents`, { scope: 'remote_monitoring' });
    expect(consents.body.active).toEqual(['contact_channels', 'remote_monitoring']);
    // B by e-mail in German; C has contact details but no consent.
    await contacts.saveContact(
      b.patientId,
      { phone: null, email: 'b@example.org', channels: ['email'], language: 'de', quietHours: null },
      doctorId,
      new Date(),
    );
    await contacts.giveConsent(b.patientId, 'contact_channels', doctorId, new Date());
    await contacts.saveContact(
      d.patientId,
      { phone: '+33612345678', email: null, channels: ['voice'], language: 'fr', quietHours: null },
      doctorId,
      new Date(),
    );
    await contacts.giveConsent(d.patientId, 'contact_channels', doctorId, new Date());
    await contacts.saveContact(c.patientId, { phone: '+447700900999', email: null, channels: ['sms'], language: 'en', quietHours: null }, doctorId, new Date());
  });

  it('defers a reminder due in quiet hours to their end, then sends it once on the first channel', async () => {
    await reminders.runOnce(at(7, 23));
    expect(patientHooks(push, a.patientId)).toHaveLength(0);
    const [deferred] = await contacts.reminders(a.patientId);
    expect(deferred).toEqual(expect.objectContaining({ kind: 'due_in_7_days', status: 'pending' }));
    await reminders.runOnce(at(6, 7));
    expect(patientHooks(push, a.patientId)).toHaveLength(0);
    await reminders.runOnce(at(6, 8));
    await reminders.runOnce(at(6, 9));
    const sent = patientHooks(push, a.patientId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toEqual(expect.objectContaining({ kind: 'due_in_7_days', language: 'en' }));
    expect(String(sent[0].text)).toContain('due in 7 days');
    expect(texts('+447700900123')).toHaveLength(0);
  });

  it('reaches the SMTP sink and the voice provider in the patient’s language, and nobody without consent', async () => {
    expect(smtp.received).toContain('Ihr Nachsorgetermin');
    expect(smtp.received).toContain('in 7 Tagen');
    expect(voice.received.map((call) => call.body)).toEqual([{ to: '+33612345678', language: 'fr', text: expect.stringContaining('prévu dans 7 jours') }]);
    expect(texts('+447700900999')).toHaveLength(0);
    expect(await contacts.reminders(c.patientId)).toEqual([]);
  });

  it('falls back to SMS when the push receiver fails, recording every attempt', async () => {
    push.status = 500;
    await reminders.runOnce(at(3, 10));
    await reminders.runOnce(at(3, 11));
    push.status = 204;
    expect(texts('+447700900123')).toHaveLength(1);
    expect(String(texts('+447700900123')[0].text)).toContain('due in 3 days');
    const attempts = (await contacts.attempts(a.patientId)).map((attempt) => [attempt.kind, attempt.channel, attempt.outcome]);
    expect(attempts).toEqual([
      ['due_in_7_days', 'webhook', 'sent'],
      ['due_in_3_days', 'webhook', 'failed'],
      ['due_in_3_days', 'sms', 'sent'],
    ]);
  });

  it('the signed link confirms; a tampered, expired or misused token is refused', async () => {
    const [reminder] = patientHooks(push, a.patientId) as { links: { confirm: string; reschedule: string } }[];
    expect(new URL(reminder.links.confirm).origin).toBe(api.httpUrl);
    const anonymous = ApiClient.anonymous(api.httpUrl);
    const path = (link: string) => new URL(link).pathname;
    expect((await anonymous.get(path(reminder.links.confirm))).status).toBe(200);
    const confirmed = await anonymous.post<{ recorded: boolean; dueAt: string }>(path(reminder.links.confirm));
    expect(confirmed).toEqual({ status: 200, body: expect.objectContaining({ action: 'confirm', recorded: true, dueAt: dueAt.toISOString() }) });
    const token = path(reminder.links.confirm).split('/')[2];
    expect((await anonymous.post(`/p/${token.slice(0, -3)}abc/confirm`)).status).toBe(401);
    expect((await anonymous.post(`/p/${token}/reschedule`)).status).toBe(401);
    const expired = signPatientLink(SECRET, {
      action: 'confirm',
      patientId: a.patientId,
      dueAt: dueAt.toISOString(),
      expiresAt: Math.floor(Date.now() / 1000) - 60,
    });
    expect((await anonymous.post(`/p/${expired}/confirm`)).status).toBe(401);
    const [event] = await dataSource.query(`SELECT kind FROM follow_up_events WHERE patient_id = $1 AND kind = 'patient_confirmed'`, [a.patientId]);
    expect(event).toBeDefined();
  });

  it("the reminder's page link opens the patient's own page, which no one-action link does", async () => {
    const [reminder] = patientHooks(push, a.patientId) as { text: string; links: { confirm: string; page: string } }[];
    expect(reminder.text).toContain(`Your readings and questions: ${reminder.links.page}`);
    const anonymous = ApiClient.anonymous(api.httpUrl);
    const page = await anonymous.get<{ followUp: { dueAt: string } | null }>(`${new URL(reminder.links.page).pathname}/page`);
    expect(page).toEqual({ status: 200, body: expect.objectContaining({ followUp: expect.objectContaining({ dueAt: expect.any(String) }) }) });
    expect((await anonymous.get(`${new URL(reminder.links.confirm).pathname.replace(/\/confirm$/, '')}/page`)).status).toBe(401);
  });

  it('a request to reschedule lands on the nurse worklist', async () => {
    const [reminder] = patientHooks(push, a.patientId) as { links: { reschedule: string } }[];
    const answer = await ApiClient.anonymous(api.httpUrl).post<{ recorded: boolean }>(new URL(reminder.links.reschedule).pathname);
    expect(answer.body.recorded).toBe(true);
    const worklist = await doctor.get<{ items: { patientId: string; rescheduleRequested: boolean }[] }>('/follow-up/worklist');
    expect(worklist.body.items).toEqual([expect.objectContaining({ patientId: a.patientId, rescheduleRequested: true })]);
  });

  it('withdrawing contact consent stops the reminders; withdrawing monitoring consent cancels alert deliveries but keeps the alert', async () => {
    expect((await doctor.post(`/patients/${a.patientId}/consents/withdraw`, { scope: 'contact_channels' })).status).toBe(200);
    await reminders.runOnce(at(0, 9));
    // The 7-day reminder and the refused 3-day attempt; no same-day reminder.
    expect(patientHooks(push, a.patientId).map((body) => body.kind)).toEqual(['due_in_7_days', 'due_in_3_days']);
    expect(texts('+447700900123')).toHaveLength(1);
    const [{ id: alertId }] = await dataSource.query(
      `INSERT INTO alerts (patient_id, rule_id, rule_version, severity, status, title, reason, readings, opened_at, last_reading_at)
       VALUES ($1, 'test.rule', 1, 'urgent', 'open', 'Hypertensive crisis', 'reason', '[]', now(), now()) RETURNING id`,
      [a.patientId],
    );
    const deliveries = new DeliveryRepository(dataSource);
    expect((await doctor.post(`/patients/${a.patientId}/consents/withdraw`, { scope: 'remote_monitoring' })).status).toBe(200);
    await deliveries.enqueue(alertId, 'webhook', 'opened');
    expect(await deliveries.claimDue(50, 'test', 60)).toEqual([]);
    const [row] = await dataSource.query(`SELECT status FROM alert_deliveries WHERE alert_id = $1`, [alertId]);
    expect(row.status).toBe('cancelled');
    const history = await doctor.get<{ active: string[]; history: { scope: string; withdrawnAt: string | null }[] }>(`/patients/${a.patientId}/consents`);
    expect(history.body.active).toEqual([]);
    expect(history.body.history.filter((entry) => entry.withdrawnAt !== null)).toHaveLength(2);
  });
});
