import { PatientContactRepository, PatientSignInRepository, createDataSource } from '@rpm/persistence';
import { verifyPatientPageLink } from '@rpm/security';
import type { DataSource } from 'typeorm';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { createTestDatabase } from '../../../../test/support/test-services';
import { WebhookReceiver } from '../../../../test/support/webhook-receiver';
import { CareTeamScope } from '@rpm/persistence';
import { SmsChannel } from '../delivery/sms-channel';
import { VoiceChannel } from '../delivery/voice-channel';
import { WebhookChannel } from '../delivery/webhook-channel';
import { JobFailures } from '../jobs/job-failures';
import { AlertingMetrics } from '../observability/alerting-metrics';
import { PatientSignInLinks, SIGN_IN_LINK_DAYS } from './patient-sign-in-links';

const SECRET = 'patient-link-secret-of-at-least-32-characters';
const DAY = 86_400_000;

/*
 * The page links patients ask for, sent against the real services: PostgreSQL, a fake SMS gateway, an IM/app-push
 * webhook and a voice provider (HTTP receivers). The sender is driven at chosen instants.
 */
describe('page links a patient asked for, through their preferred channels', () => {
  let dataSource: DataSource;
  let contacts: PatientContactRepository;
  let requests: PatientSignInRepository;
  let sms: WebhookReceiver;
  let push: WebhookReceiver;
  let voice: WebhookReceiver;
  let sender: PatientSignInLinks;
  let clinics: ClinicFixture[];
  let doctorId: string;
  const status = async (patientId: string) =>
    (await dataSource.query('SELECT status, attempts, channel, last_error FROM patient_sign_in_links WHERE patient_id = $1 ORDER BY id', [patientId])) as {
      status: string;
      attempts: number;
      channel: string | null;
      last_error: string | null;
    }[];

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    dataSource = await createDataSource(databaseUrl).initialize();
    clinics = await Promise.all(['asked', 'withdrawn', 'unreachable'].map((label) => createClinic(databaseUrl, label)));
    [sms, push, voice] = await Promise.all([WebhookReceiver.start('sms'), WebhookReceiver.start('push-secret'), WebhookReceiver.start('voice')]);
    sender = new PatientSignInLinks(
      dataSource,
      [
        new WebhookChannel(push.url, 'push-secret'),
        new SmsChannel(sms.url, 'token', new CareTeamScope(dataSource)),
        new VoiceChannel(voice.url, 'voice-token'),
      ],
      { secret: SECRET, baseUrl: 'https://rpm.example.org/' },
      new JobFailures(new AlertingMetrics()),
    );
    contacts = new PatientContactRepository(dataSource);
    requests = new PatientSignInRepository(dataSource);
    [{ id: doctorId }] = await dataSource.query('SELECT id FROM users WHERE email = $1', [clinics[0].doctor.email]);
  });

  afterAll(async () => {
    await Promise.all([sms?.stop(), push?.stop(), voice?.stop()]);
    await dataSource?.destroy();
  });

  it('sends a signed page link for that patient alone, valid 7 days, passing over a voice call, in the patient language; one per 10 minutes', async () => {
    const [asked] = clinics;
    const now = new Date();
    await contacts.saveContact(
      asked.patientId,
      { phone: '+33612345678', email: null, channels: ['voice', 'webhook', 'sms'], language: 'fr', quietHours: { start: '00:00', end: '23:59' } },
      doctorId,
      now,
    );
    await contacts.giveConsent(asked.patientId, 'contact_channels', doctorId, now);
    expect(await requests.patientsReachableAt({ phone: '+33612345678' })).toEqual([asked.patientId]);
    expect(await requests.request(asked.patientId, now, 10 * 60_000, 'req-1')).toBe(true);
    expect(await requests.request(asked.patientId, new Date(now.getTime() + 9 * 60_000), 10 * 60_000, 'req-2')).toBe(false);

    await sender.runOnce(now); // quiet hours all day: the patient asked a moment ago, so it goes anyway
    const [pushed] = push.received.map((hook) => hook.body as { to?: unknown; text: string; links: { page: string } });
    expect(pushed).toEqual(
      expect.objectContaining({
        type: 'patient_sign_in_link',
        patientId: asked.patientId,
        kind: 'sign_in_link',
        language: 'fr',
        links: { page: expect.any(String) },
      }),
    );
    expect(pushed.to).toBeUndefined(); // the push service knows the patient by id
    expect(pushed.text).toContain(`valable ${SIGN_IN_LINK_DAYS} jours : ${pushed.links.page}`);
    const token = new URL(pushed.links.page).pathname.split('/')[2];
    expect(verifyPatientPageLink(SECRET, token, now)).toEqual({ patientId: asked.patientId, expiresAt: Math.floor((now.getTime() + 7 * DAY) / 1000) });
    expect(verifyPatientPageLink(SECRET, token, new Date(now.getTime() + 7 * DAY + 1000))).toBeNull();
    expect(voice.received).toEqual([]);
    expect(sms.received).toEqual([]);
    expect(await status(asked.patientId)).toEqual([{ status: 'sent', attempts: 1, channel: 'webhook', last_error: null }]);
    await sender.runOnce(new Date(now.getTime() + 60_000));
    expect(push.received).toHaveLength(1); // sent once
  });

  it('cancels a request whose patient withdrew contact consent before it went out', async () => {
    const [, withdrawn] = clinics;
    const now = new Date();
    await contacts.saveContact(
      withdrawn.patientId,
      { phone: '+447700900555', email: null, channels: ['sms'], language: 'en', quietHours: null },
      doctorId,
      now,
    );
    await contacts.giveConsent(withdrawn.patientId, 'contact_channels', doctorId, now);
    expect(await requests.request(withdrawn.patientId, now, 10 * 60_000, 'req-3')).toBe(true);
    await contacts.withdrawConsent(withdrawn.patientId, 'contact_channels', doctorId, now);
    expect(await requests.patientsReachableAt({ phone: '+447700900555' })).toEqual([]);
    await sender.runOnce(now);
    expect(sms.received.filter((hook) => hook.body.to === '+447700900555')).toEqual([]);
    expect(await status(withdrawn.patientId)).toEqual([{ status: 'cancelled', attempts: 0, channel: null, last_error: 'no contact_channels consent' }]);
  });

  it('retries with backoff when every channel fails (voice alone cannot carry a link), and gives up after 5 attempts', async () => {
    const [, , unreachable] = clinics;
    const now = new Date();
    await contacts.saveContact(
      unreachable.patientId,
      { phone: '+447700900777', email: null, channels: ['voice'], language: 'en', quietHours: null },
      doctorId,
      now,
    );
    await contacts.giveConsent(unreachable.patientId, 'contact_channels', doctorId, now);
    await requests.request(unreachable.patientId, now, 10 * 60_000, 'req-4');
    let at = now.getTime();
    for (let attempt = 1; attempt <= 5; attempt++) {
      await sender.runOnce(new Date(at));
      expect((await status(unreachable.patientId))[0]).toEqual({
        status: attempt < 5 ? 'pending' : 'failed',
        attempts: attempt,
        channel: null,
        last_error: 'voice: a voice call cannot carry a link',
      });
      at += 30_000 * 2 ** (attempt - 1);
    }
    expect(voice.received).toEqual([]);
  });
});
