import type { DeviceReading } from '@rpm/contracts';
import { signPatientLink, signPatientPageLink } from '@rpm/security';
import path from 'node:path';
import { Client } from 'pg';
import type { Browser, Page } from 'playwright-core';
import { SimulatedDevice } from '../../device-simulators/src/simulated-device';
import { ApiClient } from '../support/api-client';
import { addPatient, createClinic, type ClinicFixture } from '../support/fixtures';
import { ARTIFACTS_DIR, launchChromium } from '../support/headless-chromium';
import { PlatformProcess } from '../support/platform-process';
import { createTestDatabase } from '../support/test-services';
import { waitFor } from '../support/wait-for';

const SECRET = 'a-patient-link-secret-of-at-least-32-chars';
const HOUR = 3_600_000;
const hoursAgo = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();
const inDays = (days: number) => Math.floor((Date.now() + days * 24 * HOUR) / 1000);

/** Six days of CGM every 30 minutes, a daily swing between 90 and 210 mg/dL. */
const CGM: DeviceReading[] = Array.from({ length: 288 }, (_, index) => ({
  metric: 'glucose',
  value: Math.round(150 + 60 * Math.sin((2 * Math.PI * index) / 48)),
  unit: 'mg/dL',
  source: 'cgm',
  measuredAt: hoursAgo(144 - index * 0.5),
  seq: index,
}));
/** Time in range 70-180 mg/dL (Battelino 2019), as the patient should read it: a whole percentage. */
const TIME_IN_RANGE = Math.round((100 * CGM.filter((reading) => 'value' in reading && reading.value >= 70 && reading.value <= 180).length) / CGM.length);
const BP: DeviceReading[] = [
  { metric: 'blood_pressure', systolic: 135, diastolic: 86, unit: 'mmHg', measuredAt: hoursAgo(30), seq: 500 },
  { metric: 'blood_pressure', systolic: 128, diastolic: 82, unit: 'mmHg', measuredAt: hoursAgo(6), seq: 501 },
];

interface PatientPageBody {
  glucose: { timeInRangePercent: number } | null;
  bloodPressure: { last: { systolic: number; diastolic: number } } | null;
  followUp: { dueAt: string; confirmToken: string | null; rescheduleToken: string | null } | null;
  questionnaires: { instrument: string }[];
}
interface Alert {
  id: string;
  severity: string;
  status: string;
}

describe("the patient's own page by their signed link, on a phone (headless Chromium, 390x844)", () => {
  let platform: PlatformProcess;
  let databaseUrl: string;
  let clinic: ClinicFixture;
  let other: { patientId: string };
  let doctor: ApiClient;
  let browser: Browser;
  let page: Page;
  const browserErrors: string[] = [];
  const tokenOf = (patientId: string) => signPatientPageLink(SECRET, { patientId, expiresAt: inDays(14) });

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    browser = await launchChromium();
    platform = await PlatformProcess.start({ DATABASE_URL: databaseUrl, DEMO_SEED: 'false', PATIENT_LINK_SECRET: SECRET });
    clinic = await createClinic(databaseUrl, 'ppage');
    other = await addPatient(databaseUrl, clinic.careTeamId, 'Other Patient');
    doctor = await ApiClient.login(platform.httpUrl, clinic.doctor.email, clinic.doctor.password);
    const device = await SimulatedDevice.connect(platform.mqttUrl, clinic.device);
    for (let start = 0; start < CGM.length; start += 250) await device.publish({ readings: CGM.slice(start, start + 250) });
    for (const reading of BP) await device.publish(reading);
    await device.close();
    // The mental-health pathway asks PHQ-9 and GAD-7 from enrolment.
    await doctor.post(`/patients/${clinic.patientId}/follow-up`, { pathway: 'mental_health' });
    await waitFor('the readings stored', async () => {
      const { body } = await doctor.get<{ readings: unknown[] }>(`/patients/${clinic.patientId}/readings?from=${hoursAgo(150)}&limit=1000`);
      return body.readings.length === CGM.length + BP.length ? true : undefined;
    });
    page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    page.on('console', (message) => message.type() === 'error' && browserErrors.push(message.text()));
    page.on('pageerror', (error) => browserErrors.push(error.message));
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('shows the last fortnight in plain words with a chart, the next check-in and the questionnaires due', async () => {
    await page.goto(`${platform.httpUrl}/p/${tokenOf(clinic.patientId)}`);
    await page.waitForSelector('[data-glucose]');
    expect(await page.textContent('[data-glucose]')).toBe(`Your glucose was in range ${TIME_IN_RANGE}% of the time this fortnight.`);
    expect(await page.textContent('[data-bp]')).toMatch(/^Your last blood pressure was 128\/82 on \w+, \w+ \d{1,2}\.$/);
    expect(await page.locator('.patient-readings figure.chart canvas').count()).toBe(2);
    expect(await page.textContent('.patient-follow-up')).toContain('Your care team will contact you on');
    expect(await page.locator('form.questionnaire').evaluateAll((forms) => forms.map((form) => form.getAttribute('data-instrument')))).toEqual([
      'phq9',
      'gad7',
    ]);
    expect(await page.isVisible('header.top')).toBe(false); // no care-team header on the patient's page
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'patient-page-phone.png'), fullPage: false });
  });

  it('answers the PHQ-9 through the same scoring and answer rules as the clinician: item 9 above 0 opens the urgent alert', async () => {
    const form = page.locator('form.questionnaire[data-instrument="phq9"]');
    for (let item = 1; item <= 9; item++) await form.locator(`input[name="phq9-${item}"][value="${item === 9 ? 1 : item <= 2 ? 1 : 0}"]`).check();
    await form.locator('button[type=submit]').click();
    await page.waitForSelector('form.questionnaire[data-instrument="phq9"] .status:has-text("Thank you")');
    expect(await form.locator('.notice').textContent()).toContain('Your care team has been told');
    const { body } = await doctor.get<{ recent: { instrument: string; total: number; source: string; enteredBy: string | null }[] }>(
      `/patients/${clinic.patientId}/questionnaires`,
    );
    expect(body.recent[0]).toEqual(expect.objectContaining({ instrument: 'phq9', total: 3, source: 'patient', enteredBy: null }));
    const alerts = (await doctor.get<{ alerts: Alert[] }>(`/patients/${clinic.patientId}/alerts?status=open`)).body.alerts;
    expect(alerts.map((alert) => alert.severity)).toContain('urgent');
  });

  it('confirms the next check-in with the one-action link the page was given', async () => {
    await page.click('.patient-follow-up button:has-text("Confirm")');
    await page.waitForSelector('.patient-follow-up .status:has-text("your check-in is confirmed")');
    const { followUp } = (await (await fetch(`${platform.httpUrl}/p/${tokenOf(clinic.patientId)}/page`)).json()) as PatientPageBody;
    const again = await fetch(`${platform.httpUrl}/p/${followUp!.confirmToken}/confirm`, { method: 'POST' });
    expect(await again.json()).toEqual(expect.objectContaining({ action: 'confirm', recorded: false })); // the page's click was recorded
  });

  it('shows another patient only their own record, and refuses a tampered, expired or one-action token', async () => {
    const theirs = (await (await fetch(`${platform.httpUrl}/p/${tokenOf(other.patientId)}/page`)).json()) as PatientPageBody;
    expect(theirs).toEqual(expect.objectContaining({ glucose: null, bloodPressure: null, followUp: null, questionnaires: [] }));
    const token = tokenOf(clinic.patientId);
    const [payload, mac] = token.split('.');
    const otherPayload = tokenOf(other.patientId).split('.')[0];
    const refused = [
      `${otherPayload}.${mac}`, // the other patient's id under this token's signature
      `${payload}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`,
      signPatientPageLink(SECRET, { patientId: clinic.patientId, expiresAt: inDays(-1) }),
      signPatientLink(SECRET, { action: 'confirm', patientId: clinic.patientId, dueAt: new Date().toISOString(), expiresAt: inDays(1) }),
      signPatientPageLink('another-secret-of-at-least-thirty-two-chars', { patientId: clinic.patientId, expiresAt: inDays(1) }),
    ];
    for (const bad of refused) {
      expect((await fetch(`${platform.httpUrl}/p/${bad}/page`)).status).toBe(401);
      const answer = await fetch(`${platform.httpUrl}/p/${bad}/questionnaires/gad7/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ answers: {} }),
      });
      expect(answer.status).toBe(401);
    }
    const browsing = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await browsing.goto(`${platform.httpUrl}/p/${refused[0]}`);
    await browsing.waitForSelector('text=This link is not valid or has expired.');
    await browsing.close();
  });

  it("reaches no other patient's record: no patient id to change, a page token is no staff session, answers land on the token's patient only", async () => {
    const own = tokenOf(clinic.patientId);
    // The routes name no patient: a patient id added to the request changes nothing.
    const withOther = (await (await fetch(`${platform.httpUrl}/p/${own}/page?patientId=${other.patientId}`)).json()) as PatientPageBody;
    expect(withOther.glucose).not.toBeNull();
    // A page token is not a bearer token: the staff routes refuse it for the other patient and for its own.
    for (const patientId of [other.patientId, clinic.patientId]) {
      const staffRoute = await fetch(`${platform.httpUrl}/patients/${patientId}/readings`, { headers: { authorization: `Bearer ${own}` } });
      expect(staffRoute.status).toBe(401);
    }
    // The other patient's answers, through their own link, are theirs alone; another clinic's clinician sees neither (404).
    const answered = await fetch(`${platform.httpUrl}/p/${tokenOf(other.patientId)}/questionnaires/pain_nrs/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: { 'pain-1': 2 } }),
    });
    expect(answered.status).toBe(201);
    const recent = async (patientId: string) =>
      (await doctor.get<{ recent: { instrument: string }[] }>(`/patients/${patientId}/questionnaires`)).body.recent.map((response) => response.instrument);
    expect(await recent(other.patientId)).toEqual(['pain_nrs']);
    expect(await recent(clinic.patientId)).not.toContain('pain_nrs');
    const elsewhere = await createClinic(databaseUrl, 'ppage-other');
    const stranger = await ApiClient.login(platform.httpUrl, elsewhere.doctor.email, elsewhere.doctor.password);
    for (const patientId of [clinic.patientId, other.patientId]) expect((await stranger.get(`/patients/${patientId}/questionnaires`)).status).toBe(404);
  });

  it("audit-logs the patient's use of their link, as the patient's (no user)", async () => {
    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    try {
      const { rows } = await sql.query<{ action: string; outcome: string }>(
        `SELECT action, outcome FROM audit_log WHERE patient_id = $1 AND user_id IS NULL AND action LIKE 'patient_link.%' ORDER BY seq`,
        [clinic.patientId],
      );
      expect(rows.map((row) => `${row.action} ${row.outcome}`)).toEqual(
        expect.arrayContaining(['patient_link.page.view allowed', 'patient_link.page.questionnaire allowed', 'patient_link.confirm allowed']),
      );
    } finally {
      await sql.end();
    }
  });

  it("writes the last blood pressure's day in the patient's language with one full stop (French: 'le lundi 30 novembre.')", async () => {
    const contact = (language: string) => ({ phone: null, email: null, channels: [], language, quietHours: null });
    expect((await doctor.put(`/patients/${clinic.patientId}/contact`, contact('fr'))).status).toBe(200);
    await page.goto(`${platform.httpUrl}/p/${tokenOf(clinic.patientId)}`);
    await page.waitForSelector('[data-bp]');
    expect(await page.textContent('[data-bp]')).toMatch(/^Votre dernière tension était de 128\/82 le \p{L}+ \d{1,2} \p{L}+\.$/u);
    expect((await doctor.put(`/patients/${clinic.patientId}/contact`, contact('en'))).status).toBe(200);
  });

  it("names the chart's time and series in German in the legend for a German patient, not in English", async () => {
    const contact = (language: string) => ({ phone: null, email: null, channels: [], language, quietHours: null });
    expect((await doctor.put(`/patients/${clinic.patientId}/contact`, contact('de'))).status).toBe(200);
    try {
      await page.goto(`${platform.httpUrl}/p/${tokenOf(clinic.patientId)}`);
      await page.waitForSelector('.patient-readings figure.chart .u-legend');
      const legends = await page
        .locator('.patient-readings figure.chart')
        .evaluateAll((figures) => figures.map((figure) => [...figure.querySelectorAll('.u-legend .u-label')].map((label) => label.textContent)));
      expect(legends).toEqual([
        ['Zeit', 'Glukose'],
        ['Zeit', 'Oberer Wert', 'Unterer Wert'],
      ]);
      expect(await page.textContent('.patient-readings figcaption')).toContain('Glukose');
      await page
        .locator('.patient-readings figure.chart')
        .first()
        .screenshot({ path: path.join(ARTIFACTS_DIR, 'patient-page-german-chart.png') });
    } finally {
      expect((await doctor.put(`/patients/${clinic.patientId}/contact`, contact('en'))).status).toBe(200);
    }
  });

  it('answers 404 to a signed link for a patient that does not exist (deleted), as to any unknown record', async () => {
    const gone = await addPatient(databaseUrl, clinic.careTeamId, 'Deleted Patient');
    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    try {
      await sql.query('DELETE FROM devices WHERE patient_id = $1', [gone.patientId]);
      await sql.query('DELETE FROM patients WHERE id = $1', [gone.patientId]);
    } finally {
      await sql.end();
    }
    for (const patientId of [gone.patientId, '00000000-0000-4000-8000-000000000000']) {
      expect((await fetch(`${platform.httpUrl}/p/${tokenOf(patientId)}/page`)).status).toBe(404);
      const answer = await fetch(`${platform.httpUrl}/p/${tokenOf(patientId)}/questionnaires/pain_nrs/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ answers: { 'pain-1': 2 } }),
      });
      expect(answer.status).toBe(404);
      const reschedule = signPatientLink(SECRET, { action: 'reschedule', patientId, dueAt: new Date().toISOString(), expiresAt: inDays(1) });
      expect((await fetch(`${platform.httpUrl}/p/${reschedule}/reschedule`, { method: 'POST' })).status).toBe(404);
    }
  });

  it('a contact ends the "asked to reschedule" request; a link for the contact it completed, or for a passed day, is refused (410) and records nothing', async () => {
    const { followUp } = (await (await fetch(`${platform.httpUrl}/p/${tokenOf(clinic.patientId)}/page`)).json()) as PatientPageBody;
    const asked = await fetch(`${platform.httpUrl}/p/${followUp!.rescheduleToken!}/reschedule`, { method: 'POST' });
    expect(await asked.json()).toEqual(expect.objectContaining({ action: 'reschedule', recorded: true }));
    const flagged = async () =>
      (await doctor.get<{ items: { patientId: string; rescheduleRequested: boolean }[] }>('/follow-up/worklist')).body.items.find(
        (item) => item.patientId === clinic.patientId,
      )?.rescheduleRequested ?? false;
    expect(await flagged()).toBe(true);

    expect((await doctor.post(`/patients/${clinic.patientId}/visits`, { occurredAt: hoursAgo(0.1), type: 'telephone' })).status).toBe(201);
    expect(await flagged()).toBe(false);

    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    try {
      const recorded = async () =>
        (
          await sql.query<{ count: string }>(
            `SELECT (SELECT count(*) FROM follow_up_events WHERE patient_id = $1 AND kind IN ('patient_confirmed', 'patient_asked_to_reschedule'))
                  + (SELECT count(*) FROM follow_up_tasks WHERE patient_id = $1 AND kind = 'patient_asked_to_reschedule') AS count`,
            [clinic.patientId],
          )
        ).rows[0].count;
      const requests = await sql.query(`SELECT status, outcome FROM follow_up_tasks WHERE patient_id = $1 AND kind = 'patient_asked_to_reschedule'`, [
        clinic.patientId,
      ]);
      expect(requests.rows).toEqual([{ status: 'done', outcome: 'contact recorded' }]);
      const closed = await sql.query(`SELECT detail FROM follow_up_events WHERE patient_id = $1 AND kind = 'task_closed'`, [clinic.patientId]);
      expect(closed.rows).toEqual([{ detail: expect.objectContaining({ status: 'done', by: 'contact' }) }]);
      const before = await recorded();
      // The old due date's links (the reminder's, the page's): that contact has taken place.
      for (const [token, action] of [
        [followUp!.rescheduleToken!, 'reschedule'],
        [followUp!.confirmToken!, 'confirm'],
      ]) {
        const refused = await fetch(`${platform.httpUrl}/p/${token}/${action}`, { method: 'POST' });
        expect(refused.status).toBe(410);
        expect(((await refused.json()) as { message: string }).message).toBe(
          'This follow-up has already taken place or passed; your care team will contact you.',
        );
      }
      // The current due date, once its day has passed (the link itself runs a day longer).
      const passed = new Date(Date.now() - 30 * HOUR);
      await sql.query('UPDATE follow_up_plans SET next_due_at = $2 WHERE patient_id = $1', [clinic.patientId, passed]);
      const late = signPatientLink(SECRET, { action: 'reschedule', patientId: clinic.patientId, dueAt: passed.toISOString(), expiresAt: inDays(1) });
      expect((await fetch(`${platform.httpUrl}/p/${late}/reschedule`, { method: 'POST' })).status).toBe(410);
      expect(await recorded()).toBe(before);
      expect(await flagged()).toBe(false);
    } finally {
      await sql.end();
    }
  });

  it('takes the survey after a contact once: a second answer, with no survey open, is refused (409) and not stored', async () => {
    const survey = (overall: number) =>
      fetch(`${platform.httpUrl}/p/${tokenOf(clinic.patientId)}/questionnaires/contact_satisfaction/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ answers: { 'satisfaction-overall': overall, 'satisfaction-helped': 2, 'satisfaction-recommend': 2 } }),
      });
    expect((await survey(4)).status).toBe(201);
    const again = await survey(1);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { message: string }).message).toBe('This questionnaire was already answered or is no longer open. Thank you!');
    const { body } = await doctor.get<{ recent: { instrument: string; total: number }[] }>(`/patients/${clinic.patientId}/questionnaires`);
    expect(body.recent.filter((response) => response.instrument === 'contact_satisfaction')).toHaveLength(1);
    const { questionnaires } = (await (await fetch(`${platform.httpUrl}/p/${tokenOf(clinic.patientId)}/page`)).json()) as PatientPageBody;
    expect(questionnaires.map((open) => open.instrument)).not.toContain('contact_satisfaction');
  });

  it('raised no script error and no content-security-policy violation', () => {
    // Chromium logs the refused links' 401s itself: only script errors count.
    expect(browserErrors.filter((error) => !error.includes('401'))).toEqual([]);
  });
});
