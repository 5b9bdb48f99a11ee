import { signPatientPageLink } from '@rpm/security';
import path from 'node:path';
import { Client } from 'pg';
import type { Browser } from 'playwright-core';
import { ApiClient } from '../support/api-client';
import { addPatient, createClinic, type ClinicFixture } from '../support/fixtures';
import { ARTIFACTS_DIR, launchChromium } from '../support/headless-chromium';
import { PlatformProcess } from '../support/platform-process';
import { SmtpSink } from '../support/smtp-sink';
import { createTestDatabase } from '../support/test-services';
import { waitFor } from '../support/wait-for';
import { WebhookReceiver } from '../support/webhook-receiver';

const SECRET = 'a-patient-link-secret-of-at-least-32-chars';
const WEBHOOK_SECRET = 'webhook-secret-of-16-plus';
const GERMAN_PHONE = '+4915123456789';

interface PatientPageBody {
  language: string;
  text: { title: string };
  bloodPressure: { last: { systolic: number } } | null;
}

/**
 * The link in a message. The SMTP sink prints each line as a Python bytes literal (b'...'); the e-mail is
 * quoted-printable, so soft breaks (`=` at a line end) and `=3D` are undone first.
 */
const linkIn = (text: string): string | undefined =>
  /https?:\/\/\S+\/p\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/.exec(
    text
      .split('\n')
      .map((line) => line.replace(/^b'(.*)'$/, '$1'))
      .join('\n')
      .replace(/=\r?\n/g, '')
      .replace(/=3D/g, '='),
  )?.[0];

describe("the patient's log-in without a password: a new link by message, rate limits on /p/*, the page in the patient's language", () => {
  let platform: PlatformProcess;
  let databaseUrl: string;
  let clinic: ClinicFixture;
  let english: { patientId: string };
  let unconsented: { patientId: string };
  let doctor: ApiClient;
  let smtp: SmtpSink;
  let sms: WebhookReceiver;
  let push: WebhookReceiver;
  let voice: WebhookReceiver;
  let browser: Browser;
  const browserErrors: string[] = [];
  const signIn = (address: string, language = 'en') =>
    fetch(`${platform.httpUrl}/p/sign-in?language=${language}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ address }),
    });
  const pushesTo = (patientId: string) =>
    push.received.map((hook) => hook.body).filter((body) => body.type === 'patient_sign_in_link' && body.patientId === patientId);

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    [smtp, sms, push, voice] = [
      await SmtpSink.start(),
      await WebhookReceiver.start('unused'),
      await WebhookReceiver.start(WEBHOOK_SECRET),
      await WebhookReceiver.start('unused'),
    ];
    browser = await launchChromium();
    platform = await PlatformProcess.start({
      DATABASE_URL: databaseUrl,
      DEMO_SEED: 'false',
      PATIENT_LINK_SECRET: SECRET,
      ALERT_EMAIL_SMTP_URL: smtp.url,
      ALERT_SMS_GATEWAY_URL: sms.url,
      ALERT_SMS_GATEWAY_TOKEN: 'sms-token',
      ALERT_WEBHOOK_URL: push.url,
      ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET,
      VOICE_URL: voice.url,
      VOICE_TOKEN: 'voice-token',
    });
    clinic = await createClinic(databaseUrl, 'signin');
    english = await addPatient(databaseUrl, clinic.careTeamId, 'English Patient');
    unconsented = await addPatient(databaseUrl, clinic.careTeamId, 'Unconsented Patient');
    doctor = await ApiClient.login(platform.httpUrl, clinic.doctor.email, clinic.doctor.password);
    const contacts = [
      {
        patientId: clinic.patientId,
        contact: { phone: GERMAN_PHONE, email: null, channels: ['voice', 'sms'], language: 'de', quietHours: null },
        consent: true,
      },
      {
        patientId: english.patientId,
        contact: { phone: null, email: 'Eve.English@example.org', channels: ['email', 'webhook'], language: 'en', quietHours: null },
        consent: true,
      },
      {
        patientId: unconsented.patientId,
        contact: { phone: null, email: 'no.consent@example.org', channels: ['email'], language: 'fr', quietHours: null },
        consent: false,
      },
    ];
    for (const { patientId, contact, consent } of contacts) {
      expect((await doctor.put(`/patients/${patientId}/contact`, contact)).status).toBe(200);
      if (consent) expect((await doctor.post(`/patients/${patientId}/consents`, { scope: 'contact_channels' })).status).toBe(201);
    }
    await doctor.post(`/patients/${clinic.patientId}/follow-up`, { pathway: 'mental_health' });
  }, 90_000);

  afterAll(async () => {
    if (process.env.SHOW_PLATFORM_LOG) process.stdout.write(platform.log);
    await browser?.close();
    await platform?.stop();
    smtp?.stop();
    await sms?.stop();
    await push?.stop();
    await voice?.stop();
  });

  it('a German patient asks for a link at /p/sign-in, gets it by SMS (the voice call before it cannot carry one), and the link opens their page in German', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    page.on('pageerror', (error) => browserErrors.push(error.message));
    await page.goto(`${platform.httpUrl}/p/sign-in?lang=de`);
    await page.waitForSelector('form.patient-sign-in');
    expect(await page.textContent('form.patient-sign-in h2')).toBe('Neuen Link zu Ihrer Seite anfordern');
    await page.fill('input[name=address]', '0049 151 2345 6789');
    await page.click('form.patient-sign-in button[type=submit]');
    await page.waitForSelector('form.patient-sign-in .status:has-text("Link")');
    expect(await page.textContent('form.patient-sign-in .status')).toBe(
      'Wenn die Angabe zu den Daten Ihres Behandlungsteams passt, ist ein neuer Link unterwegs. Das kann einige Minuten dauern.',
    );

    const text = await waitFor(
      'the SMS with the link',
      async () => sms.received.map((hook) => hook.body).find((body) => body.to === GERMAN_PHONE)?.text as string | undefined,
    );
    expect(text).toContain('Hier ist ein neuer Link zu Ihrer Seite');
    const link = linkIn(text)!;
    expect(new URL(link).origin).toBe(platform.httpUrl);
    expect(voice.received).toEqual([]); // the first channel, voice, cannot read out a link: it was passed over

    await page.goto(link);
    await page.waitForSelector('.patient-page h1');
    expect(await page.textContent('.patient-page h1')).toBe('Ihre Gesundheit zu Hause');
    expect(await page.getAttribute('html', 'lang')).toBe('de');
    expect(await page.textContent('.patient-readings h2')).toBe('Ihre letzten 14 Tage');
    expect(await page.textContent('.patient-readings .muted')).toBe('Keine Messwerte von Ihnen in den letzten zwei Wochen.');
    expect(await page.textContent('.patient-follow-up h2')).toBe('Ihr nächster Kontakt');
    expect(await page.textContent('.patient-follow-up [data-due]')).toMatch(/^Ihr Behandlungsteam meldet sich am \S+, \d+\. \S+ bei Ihnen\.$/);
    expect(await page.textContent('.patient-follow-up button[data-action=confirm]')).toBe('Bestätigen');
    expect(await page.textContent('.patient-questionnaires h2')).toBe('Fragen an Sie');
    expect(await page.locator('form.questionnaire button[type=submit]').allTextContents()).toEqual(['Antworten senden', 'Antworten senden']);
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'patient-page-german.png') });
    await page.close();
  });

  it('answers the same whether the address matched, matched a patient without contact consent, or matched no one; sends only to the consenting patient, once per 10 minutes', async () => {
    const answers = [];
    for (const address of ['eve.english@EXAMPLE.org', 'no.consent@example.org', 'nobody@example.org', '+44 7700 900999', 'Eve.English@example.org']) {
      const response = await signIn(address);
      answers.push({ status: response.status, body: await response.json() });
    }
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(answers[0]).toEqual({
      status: 202,
      body: { accepted: true, message: 'If this matches what your care team has on record, a new link is on its way. It can take a few minutes.' },
    });

    await waitFor('the e-mail with the link', async () => (smtp.received.includes('Your link to your readings and questions') ? true : undefined));
    const link = linkIn(smtp.received)!;
    const own = (await (await fetch(`${platform.httpUrl}${new URL(link).pathname}/page`)).json()) as PatientPageBody;
    expect(own).toEqual(expect.objectContaining({ language: 'en', text: expect.objectContaining({ title: 'Your health at home' }) }));
    // The link is the patient's own: signed for them and no one else.
    expect(link).toContain(`/p/${signPatientPageLink(SECRET, { patientId: english.patientId, expiresAt: 0 }).split('.')[0].slice(0, 20)}`);

    await new Promise((resolve) => setTimeout(resolve, 4_000)); // two runs of the sender
    expect(smtp.received.split('Your link to your readings and questions').length - 1).toBe(1); // the repeat within 10 min sent nothing
    expect(smtp.received).not.toContain('no.consent@example.org');
    expect(pushesTo(english.patientId)).toEqual([]); // e-mail, the first channel, took it
    expect(pushesTo(unconsented.patientId)).toEqual([]);
  });

  it('audit-logs every request as the patient it matched, or as no one', async () => {
    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    try {
      const { rows } = await sql.query<{ patient_id: string | null; outcome: string }>(
        `SELECT patient_id, outcome FROM audit_log WHERE action = 'patient_link.sign_in' AND user_id IS NULL ORDER BY seq`,
      );
      expect(rows).toEqual([
        { patient_id: clinic.patientId, outcome: 'allowed' },
        { patient_id: english.patientId, outcome: 'allowed' },
        { patient_id: null, outcome: 'denied' }, // no consent: as if no one matched
        { patient_id: null, outcome: 'denied' },
        { patient_id: null, outcome: 'denied' },
        { patient_id: english.patientId, outcome: 'denied' }, // within 10 minutes of the last
      ]);
    } finally {
      await sql.end();
    }
  });

  it('refuses what is not a mobile number with country code or an e-mail address (400), and limits the form to 10 tries per caller address in 15 minutes (429, Retry-After)', async () => {
    expect((await signIn('0151 23456789')).status).toBe(400); // the 7th try from this address (the page's was the 1st)
    const more = [];
    for (let attempt = 0; attempt < 3; attempt++) more.push((await signIn('nobody.else@example.org')).status);
    expect(more).toEqual([202, 202, 202]); // the 8th to the 10th
    const limited = await signIn('eve.english@example.org');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(15 * 60);
  });

  it('limits /p/* per link token (30 a minute) and per caller address (120 a minute across the routes): 429 with Retry-After', async () => {
    const token = signPatientPageLink(SECRET, { patientId: english.patientId, expiresAt: Math.floor(Date.now() / 1000) + 3600 });
    const statuses: number[] = [];
    for (let request = 0; request < 31; request++) statuses.push((await fetch(`${platform.httpUrl}/p/${token}/page`)).status);
    expect(statuses.slice(0, 30).every((status) => status === 200)).toBe(true);
    const limited = await fetch(`${platform.httpUrl}/p/${token}/page`);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // Another patient's token from the same address still works, until the address's budget is spent, whichever route.
    const other = signPatientPageLink(SECRET, { patientId: clinic.patientId, expiresAt: Math.floor(Date.now() / 1000) + 3600 });
    expect((await fetch(`${platform.httpUrl}/p/${other}/page`)).status).toBe(200);
    let last = 200;
    let sent = 0;
    while (last !== 429 && sent < 130) {
      const guessed = `${Buffer.from(`guess-${sent}`).toString('base64url')}.x`;
      last = (await fetch(`${platform.httpUrl}/p/${guessed}/${sent % 2 ? 'confirm' : 'page'}`)).status;
      sent++;
    }
    expect(last).toBe(429);
    expect(sent).toBeLessThan(120);
    expect((await fetch(`${platform.httpUrl}/p/${other}/page`)).status).toBe(429);
    expect(
      (await fetch(`${platform.httpUrl}/pairing/claim`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"code":"ZZZZ-ZZZZ"}' }))
        .status,
    ).toBe(404); // its own budget
  });

  it('raised no script error in the browser', () => expect(browserErrors).toEqual([]));
});
