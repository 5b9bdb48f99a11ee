// Screenshots of the doctor's web page over the demo cohort, for docs/images: the platform started as
// `npm start` starts it (embedded PostgreSQL, the demo and its simulated cohort), then headless Chromium.
import { signPatientPageLink } from '@rpm/security';
import path from 'node:path';
import { ApiClient } from '../test/support/api-client';
import { launchChromium } from '../test/support/headless-chromium';
import { SmtpSink } from '../test/support/smtp-sink';
import { WebhookReceiver } from '../test/support/webhook-receiver';
import { PlatformProcess } from '../test/support/platform-process';
import { repoRoot } from '../test/support/repo-root';
import { waitFor } from '../test/support/wait-for';
import { DEMO_COHORT } from './demo-cohort';
import { DEMO } from './demo-seed';

const say = (line: string) => process.stderr.write(`[screenshots] ${line}\n`);
const outDir = path.join(repoRoot(), 'docs/images');
const patientNamed = (name: string) => DEMO_COHORT.find((patient) => patient.name === name)!.id;
const SHOTS = [
  { file: 'patient-page-glucose.png', patientId: patientNamed('Daniel Okafor') },
  { file: 'patient-page-blood-pressure.png', patientId: patientNamed('Thomas Becker') },
  { file: 'patient-page-wearable.png', patientId: patientNamed('Robert Lindqvist') },
];
/** The printable reports, as the page shows them and as they print on A4 (print media emulated). */
const REPORTS = [
  { file: 'agp-report.png', patientId: patientNamed('Daniel Okafor'), view: 'agp', ready: 'figure.agp-profile canvas' },
  { file: 'home-bp-report.png', patientId: patientNamed('Thomas Becker'), view: 'home-bp', ready: 'figure.home-bp-chart canvas' },
];

const DAY = 86_400_000;
/** Signs the patient page's link the screenshot opens (the platform is started with it). */
const PATIENT_LINK_SECRET = 'screenshots-only-patient-link-secret-0123456789';
const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();
/** The patients' reminder channels: an SMS gateway and an app-push relay (webhooks), and an SMTP server. */
interface Channels {
  sms: WebhookReceiver;
  push: WebhookReceiver;
  smtp: SmtpSink;
}
const WEBHOOK_SECRET = 'screenshots-only-webhook-secret';

/**
 * Reminders to patients over their channels, sent by alerting's own follow-up job (run every few seconds here)
 * to patients with contact details and `contact_channels` consent and a contact due within the week; two answer
 * through the links their reminder carries (Priya asks to reschedule from her SMS, Margaret confirms from her app),
 * the others have not yet: the dashboard's "Reminder response per channel".
 */
async function patientReminders(doctor: ApiClient, channels: Channels, endOfToday: number): Promise<void> {
  const remind = [
    { name: 'Priya Raman', channel: 'sms', phone: '+447700900201', email: null, dueAt: new Date(endOfToday) },
    { name: 'Margaret Ellis', channel: 'webhook', phone: null, email: null, dueAt: new Date(endOfToday + 2 * DAY) },
    { name: 'Daniel Okafor', channel: 'email', phone: null, email: 'daniel.okafor@example.org', dueAt: new Date(endOfToday + 5 * DAY) },
    { name: 'Robert Lindqvist', channel: 'sms', phone: '+447700900202', email: null, dueAt: new Date(endOfToday + 2 * DAY) },
  ];
  for (const patient of remind) {
    const patientId = patientNamed(patient.name);
    const contact = { phone: patient.phone, email: patient.email, channels: [patient.channel], language: 'en', quietHours: null };
    const saved = await doctor.put(`/patients/${patientId}/contact`, contact);
    const consent = await doctor.post(`/patients/${patientId}/consents`, { scope: 'contact_channels' });
    if (patient.name !== 'Priya Raman') await doctor.put(`/patients/${patientId}/follow-up`, { nextDueAt: patient.dueAt.toISOString() });
    say(`${patient.name}: contact ${saved.status}, consent ${consent.status}, reminders by ${patient.channel}`);
  }
  const texts = () => channels.sms.received.map((hook) => hook.body as { to?: string; text?: string });
  const pushes = () => channels.push.received.map((hook) => hook.body as { type?: string; patientId?: string; links?: { confirm: string } });
  const sms = await waitFor(
    'the reminders sent by alerting',
    async () => {
      const priya = texts().find((body) => body.to === '+447700900201')?.text;
      const margaret = pushes().find((body) => body.type === 'patient_reminder' && body.patientId === patientNamed('Margaret Ellis'));
      const others = texts().some((body) => body.to === '+447700900202') && channels.smtp.received.includes('daniel.okafor@example.org');
      return priya && margaret && others ? { priya, margaret } : undefined;
    },
    90_000,
    1_000,
  );
  const reschedule = /https?:\/\/\S+\/p\/[A-Za-z0-9_.-]+\/reschedule/.exec(sms.priya)![0];
  say(`Priya asked to reschedule from her SMS: ${(await fetch(reschedule, { method: 'POST' })).status}`);
  say(`Margaret confirmed from her app: ${(await fetch(sms.margaret.links!.confirm, { method: 'POST' })).status}`);
}

/**
 * A few weeks of the follow-up centre's work, through the API as the demo doctor would do it, so the
 * dashboard and the nurse worklist have something to show: a contact overdue with an unanswered call, one
 * due today, one completed by telephone, a readmission after the surgery patient's discharge, an alert
 * acknowledged.
 */
async function followUpActivity(doctor: ApiClient, baseUrl: string, channels: Channels): Promise<void> {
  const { body: me } = await doctor.get<{ id: string }>('/auth/me');
  const endOfToday = Math.floor(Date.now() / DAY) * DAY + DAY - 60_000;
  await doctor.put(`/patients/${patientNamed('Thomas Becker')}/follow-up`, { nextDueAt: daysAgo(4), assignedTo: me.id });
  await doctor.post(`/patients/${patientNamed('Thomas Becker')}/follow-up/call-attempts`, { outcome: 'no_answer' });
  await doctor.put(`/patients/${patientNamed('Priya Raman')}/follow-up`, { nextDueAt: new Date(endOfToday).toISOString() });
  await doctor.put(`/patients/${patientNamed('Aisha Mensah')}/follow-up`, { nextDueAt: daysAgo(6) });
  await doctor.post(`/patients/${patientNamed('Aisha Mensah')}/visits`, { occurredAt: daysAgo(2), type: 'telephone', outcome: 'Home readings reviewed' });
  await doctor.post(`/patients/${patientNamed('Robert Lindqvist')}/visits`, { occurredAt: daysAgo(3), type: 'admission', outcome: 'Wound infection' });
  // Through her signed link: Aisha answers the satisfaction survey her call gave her.
  const expiresAt = Math.floor(Date.now() / 1000) + 3600;
  const survey = signPatientPageLink(PATIENT_LINK_SECRET, { patientId: patientNamed('Aisha Mensah'), expiresAt });
  const answers = { 'satisfaction-overall': 4, 'satisfaction-helped': 2, 'satisfaction-recommend': 2 };
  const surveyStatus = await fetch(`${baseUrl}/p/${survey}/questionnaires/contact_satisfaction/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ answers }),
  });
  say(`satisfaction survey answered: ${surveyStatus.status}`);
  await patientReminders(doctor, channels, endOfToday);
  for (const patient of DEMO_COHORT) {
    const { body } = await doctor.get<{ alerts: { id: string }[] }>(`/patients/${patient.id}/alerts?status=open&limit=1`);
    if (!body.alerts[0]) continue;
    const { status } = await doctor.post(`/patients/${patient.id}/alerts/${body.alerts[0].id}/acknowledge`, {});
    say(`acknowledged an alert of ${patient.name}: ${status}`);
    break;
  }
}

async function main(): Promise<void> {
  say('starting the platform with the demo cohort ...');
  const channels: Channels = { sms: await WebhookReceiver.start('unused'), push: await WebhookReceiver.start(WEBHOOK_SECRET), smtp: await SmtpSink.start() };
  const platform = await PlatformProcess.start({
    DEMO_COHORT: 'true',
    PATIENT_LINK_SECRET,
    // The patients' reminders go out through these (as would the care team's alerts), and alerting's follow-up job,
    // hourly by default, runs every few seconds so the reminders are sent while the screenshots are taken.
    ALERT_SMS_GATEWAY_URL: channels.sms.url,
    ALERT_SMS_GATEWAY_TOKEN: 'screenshots-only',
    ALERT_WEBHOOK_URL: channels.push.url,
    ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET,
    ALERT_EMAIL_SMTP_URL: channels.smtp.url,
    FOLLOW_UP_EVERY_SECONDS: '5',
  });
  const browser = await launchChromium();
  try {
    const doctor = await ApiClient.login(platform.httpUrl, DEMO.doctor.email, DEMO.doctor.password);
    await waitFor(
      "14 days of the cohort's readings and their alerts",
      async () => {
        const { body } = await doctor.get<{ glucose: { readings: number } | null }>(`/patients/${SHOTS[0].patientId}/summary`);
        const alerts = await doctor.get<{ page: { total: number } }>(`/patients/${SHOTS[0].patientId}/alerts?limit=1`);
        say(`glucose readings so far: ${body.glucose?.readings ?? 0}, alerts: ${alerts.body.page.total}`);
        return (body.glucose?.readings ?? 0) > 3500 && alerts.body.page.total > 0 ? true : undefined;
      },
      180_000,
      3_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 10_000)); // let alerting finish the backlog
    const page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
    await page.goto(`${platform.httpUrl}/app`);
    await page.fill('input[name=email]', DEMO.doctor.email);
    await page.fill('input[name=password]', DEMO.doctor.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('table.worklist tbody tr');
    await page.screenshot({ path: path.join(outDir, 'patient-list.png') });
    for (const shot of SHOTS) {
      await page.goto(`${platform.httpUrl}/app#/patients/${shot.patientId}`);
      await page.waitForSelector('figure.chart canvas');
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(outDir, shot.file), fullPage: true });
      say(`wrote docs/images/${shot.file}`);
    }
    await followUpActivity(doctor, platform.httpUrl, channels);
    await page.goto(`${platform.httpUrl}/app#/follow-up`);
    await page.waitForSelector('figure[data-chart="follow-up-trend"] canvas');
    await page.click('.dashboard-cards .card[data-figure="overdue"]');
    await page.waitForSelector('.drill-down tbody tr');
    await page.screenshot({ path: path.join(outDir, 'follow-up-dashboard.png'), fullPage: true });
    say('wrote docs/images/follow-up-dashboard.png');
    await page.goto(`${platform.httpUrl}/app#/worklist`);
    await page.waitForSelector('.nurse-worklist tbody tr');
    await page.screenshot({ path: path.join(outDir, 'nurse-worklist.png'), fullPage: true });
    say('wrote docs/images/nurse-worklist.png');
    // Enrolment at discharge: a pairing code for the hub, with its QR code.
    await page.setViewportSize({ width: 1000, height: 900 });
    await page.goto(`${platform.httpUrl}/app#/patients/${patientNamed('Robert Lindqvist')}/enrol`);
    await page.waitForSelector('.enrol-form');
    await page.selectOption('select[name=kind]', 'hub');
    await page.click('.enrol-form button[type=submit]');
    await page.waitForSelector('img.enrol-qr');
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(outDir, 'device-enrolment-qr.png'), fullPage: true });
    say('wrote docs/images/device-enrolment-qr.png');
    // A4 at 96 dpi, as printed: the report's column is sized to fit it.
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: 794, height: 1123 });
    for (const report of REPORTS) {
      await page.goto(`${platform.httpUrl}/app#/patients/${report.patientId}/${report.view}`);
      await page.waitForSelector(report.ready);
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(outDir, report.file), fullPage: true });
      say(`wrote docs/images/${report.file}`);
    }
    // The patient's own page by their signed link, on a phone.
    await page.emulateMedia({ media: 'screen' });
    await page.setViewportSize({ width: 390, height: 844 });
    const token = signPatientPageLink(PATIENT_LINK_SECRET, { patientId: patientNamed('Daniel Okafor'), expiresAt: Math.floor(Date.now() / 1000) + 3600 });
    await page.goto(`${platform.httpUrl}/p/${token}`);
    await page.waitForSelector('[data-glucose]');
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(outDir, 'patient-page-phone.png') });
    say('wrote docs/images/patient-page-phone.png');
  } finally {
    await browser.close();
    await platform.stop();
    await channels.sms.stop();
    await channels.push.stop();
    channels.smtp.stop();
  }
}

main().catch((error: Error) => {
  say(`failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
