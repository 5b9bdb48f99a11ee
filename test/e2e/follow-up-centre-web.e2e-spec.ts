import type { FollowUpDashboardResponse, FollowUpWorklist } from '@rpm/contracts';
import { followUpDashboardSchema } from '@rpm/contracts';
import { FollowUpPlanRepository, createDataSource } from '@rpm/persistence';
import { signPatientLink, signPatientPageLink } from '@rpm/security';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SimulatedDevice } from '../../device-simulators/src/simulated-device';
import { ApiClient } from '../support/api-client';
import { addPatient, createClinic, type ClinicFixture } from '../support/fixtures';
import { ARTIFACTS_DIR, launchChromium } from '../support/headless-chromium';
import { PlatformProcess } from '../support/platform-process';
import { createTestDatabase } from '../support/test-services';
import { waitFor } from '../support/wait-for';

const DAY = 86_400_000;
const SECRET = 'follow-up-centre-link-secret-of-32-chars-or-more';
const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const FIGURES = ['coverage', 'completion', 'overdue', 'missed', 'lostToFollowUp', 'bloodPressureControl', 'timeInRangeControl', 'readmissions'] as const;

/**
 * The follow-up centre on the doctor's web page: the dashboard shows the API's figures, each opens the
 * patients behind it and the whole downloads as CSV; the nurse worklist records a call and escalates.
 * Three patients: one overdue with an acknowledged alert, one readmitted 15 days after surgery, one whose due
 * contact was completed (named like a spreadsheet formula, to see the CSV neutralise it).
 * The patients act through their signed links: the readmitted one asks to reschedule (an sms reminder two days
 * before), the one just called answers the satisfaction survey that contact gave them; the one just called has
 * also stopped uploading (the daily assessment's "no readings since" item, recorded through the repository).
 */
describe('the follow-up centre in headless Chromium', () => {
  let platform: PlatformProcess;
  let databaseUrl: string;
  let clinic: ClinicFixture;
  let doctor: ApiClient;
  let browser: Browser;
  let page: Page;
  let readmitted: string;
  let completed: string;
  const silentSince = daysAgo(9);
  const browserErrors: string[] = [];

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    browser = await launchChromium();
    platform = await PlatformProcess.start({ DATABASE_URL: databaseUrl, DEMO_SEED: 'false', PATIENT_LINK_SECRET: SECRET });
    clinic = await createClinic(databaseUrl, 'centre');
    doctor = await ApiClient.login(platform.httpUrl, clinic.doctor.email, clinic.doctor.password);

    // Overdue since two days, with a level 2 hypo the doctor acknowledged.
    await doctor.post(`/patients/${clinic.patientId}/follow-up`, { pathway: 'diabetes' });
    await doctor.put(`/patients/${clinic.patientId}/follow-up`, { nextDueAt: daysAgo(2) });
    const meter = await SimulatedDevice.connect(platform.mqttUrl, clinic.device);
    await meter.publish({ metric: 'glucose', value: 45, unit: 'mg/dL', source: 'meter', measuredAt: daysAgo(0.01), seq: 1 });
    await meter.close();
    const alert = await waitFor('the hypo alert', async () => {
      const { body } = await doctor.get<{ alerts: { id: string }[] }>(`/patients/${clinic.patientId}/alerts?status=open`);
      return body.alerts[0];
    });
    expect((await doctor.post(`/patients/${clinic.patientId}/alerts/${alert.id}/acknowledge`, {})).status).toBe(200);

    // Discharged after surgery 20 days ago, admitted again 5 days ago.
    readmitted = (await addPatient(databaseUrl, clinic.careTeamId, 'Smith, Jane')).patientId;
    await doctor.post(`/patients/${readmitted}/follow-up`, { pathway: 'post_surgery', anchorAt: daysAgo(20) });
    expect((await doctor.post(`/patients/${readmitted}/visits`, { occurredAt: daysAgo(5), type: 'admission', outcome: 'wound infection' })).status).toBe(201);

    // A contact due three days ago, completed by telephone yesterday.
    completed = (await addPatient(databaseUrl, clinic.careTeamId, '=HYPERLINK("http://evil")')).patientId;
    await doctor.post(`/patients/${completed}/follow-up`, { pathway: 'hypertension' });
    await doctor.put(`/patients/${completed}/follow-up`, { nextDueAt: daysAgo(3) });
    expect((await doctor.post(`/patients/${completed}/visits`, { occurredAt: daysAgo(1), type: 'telephone', outcome: 'home readings reviewed' })).status).toBe(
      201,
    );

    // The telephone contact gave the patient the satisfaction survey: it is on their own page, and they answer it.
    const pageToken = signPatientPageLink(SECRET, { patientId: completed, expiresAt: Math.floor(Date.now() / 1000) + 3600 });
    const patientPage = (await (await fetch(`${platform.httpUrl}/p/${pageToken}/page`)).json()) as { questionnaires: { instrument: string }[] };
    expect(patientPage.questionnaires.map((open) => open.instrument)).toContain('contact_satisfaction');
    const answered = await fetch(`${platform.httpUrl}/p/${pageToken}/questionnaires/contact_satisfaction/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: { 'satisfaction-overall': 4, 'satisfaction-helped': 2, 'satisfaction-recommend': 2 } }),
    });
    expect(answered.status).toBe(201);

    // The readmitted patient, reminded by sms two days ago, asks through the link to reschedule their next contact.
    const { body: followUp } = await doctor.get<{ plan: { nextDueAt: string } }>(`/patients/${readmitted}/follow-up`);
    const dataSource = await createDataSource(databaseUrl).initialize();
    try {
      await dataSource.query(
        `INSERT INTO patient_reminders (patient_id, due_at, kind, created_at, send_after, status, channel, sent_at) VALUES ($1, $2, 'due_in_7_days', $3, $3, 'sent', 'sms', $3)`,
        [readmitted, followUp.plan.nextDueAt, daysAgo(2)],
      );
      // The patient just called stopped uploading: the daily assessment's item, through the repository it uses.
      await new FollowUpPlanRepository(dataSource).reviewSilence(completed, new Date(), {
        since: new Date(silentSince),
        devices: [],
        reason: 'check on the patient: no readings since (blood pressure cuff 0 of 14 expected in 7 days)',
      });
    } finally {
      await dataSource.destroy();
    }
    const rescheduleToken = signPatientLink(SECRET, {
      action: 'reschedule',
      patientId: readmitted,
      dueAt: followUp.plan.nextDueAt,
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    });
    expect((await fetch(`${platform.httpUrl}/p/${rescheduleToken}/reschedule`, { method: 'POST' })).status).toBe(200);

    page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
    page.on('console', (message) => message.type() === 'error' && browserErrors.push(message.text()));
    page.on('pageerror', (error) => browserErrors.push(error.message));
    await page.goto(`${platform.httpUrl}/`);
    await page.fill('input[name=email]', clinic.doctor.email);
    await page.fill('input[name=password]', clinic.doctor.password);
    await page.click('button[type=submit]');
    await page.waitForSelector(`tr[data-patient-id="${clinic.patientId}"]`);
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  const screenshot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
  const dashboard = async () => {
    const { status, body } = await doctor.get<FollowUpDashboardResponse>('/follow-up/dashboard?weeks=12');
    expect(status).toBe(200);
    expect(followUpDashboardSchema.parse(body)).toEqual(body);
    return body;
  };

  it('shows the figures the API computes, reached from the navigation', async () => {
    await page.click('nav.views a:has-text("Follow-up centre")');
    await page.waitForSelector('.dashboard-cards .card[data-figure="overdue"]');
    await page.waitForSelector('figure[data-chart="follow-up-trend"] canvas');
    const figures = await dashboard();
    expect(figures.totals.patients).toBe(3);
    expect(figures.totals.overdue).toEqual(expect.objectContaining({ count: 1, patientIds: [clinic.patientId] }));
    expect(figures.totals.readmissions).toEqual(expect.objectContaining({ count: 1, of: 1, patientIds: [readmitted] }));
    expect(figures.totals.completion).toEqual(expect.objectContaining({ count: 1, of: 2 }));
    expect(figures.totals.acknowledgement.acknowledged).toBe(1);
    for (const key of FIGURES) {
      expect([key, await page.getAttribute(`.dashboard-cards .card[data-figure="${key}"]`, 'data-count')]).toEqual([key, String(figures.totals[key].count)]);
    }
    expect(await page.getAttribute('.dashboard-cards .card[data-figure="acknowledgement"]', 'data-count')).toBe('1');
    expect(await page.textContent('.dashboard-cards .card[data-figure="completion"]')).toContain('of 2 due contacts · 50%');
    expect(await page.locator('table[data-groups="care-team"] tbody tr').count()).toBe(figures.byCareTeam.length);
    expect(await page.locator('table[data-groups="clinician"] tbody tr').count()).toBe(figures.byClinician.length);

    // The satisfaction survey after contacts: one response, 4 of 5, attributed to the doctor who called.
    expect(figures.satisfaction).toEqual(expect.objectContaining({ responses: 1, meanSatisfaction: 4, helpedPercent: 100, patientIds: [completed] }));
    expect(await page.getAttribute('[data-panel="satisfaction"] .card[data-figure="satisfaction"]', 'data-count')).toBe('1');
    expect(await page.textContent('[data-panel="satisfaction"] .card[data-figure="satisfaction"]')).toContain('4 / 5');
    expect(await page.locator('[data-table="satisfaction-groups"] tbody tr').count()).toBe(2);
    await page.waitForSelector('figure[data-chart="satisfaction-trend"] canvas');
    // Reminder response per channel: the sms two days ago was answered (the reschedule request).
    expect(figures.responseByChannel).toEqual([{ channel: 'sms', sent: 1, responded: 1, awaiting: 0, percent: 100 }]);
    expect(await page.textContent('[data-table="response-by-channel"] tr[data-channel="sms"] td.rate')).toBe('100%');
    await screenshot('follow-up-dashboard');
  });

  it('opens the patients behind a figure', async () => {
    await page.click('.dashboard-cards .card[data-figure="readmissions"]');
    await page.waitForSelector(`.drill-down tr[data-patient-id="${readmitted}"]`);
    expect(await page.locator('.drill-down tbody tr').count()).toBe(1);
    expect(await page.textContent('.drill-down')).toContain('Smith, Jane');
    await page.click('.dashboard-cards .card[data-figure="overdue"]');
    await page.waitForSelector(`.drill-down tr[data-patient-id="${clinic.patientId}"]`);
    expect(await page.textContent(`.drill-down tr[data-patient-id="${clinic.patientId}"]`)).toContain('overdue');
    await page.click(`table[data-groups="care-team"] tr[data-group="${clinic.careTeamId}"] button[data-figure="completion"]`);
    await page.waitForSelector(`.drill-down tr[data-patient-id="${completed}"]`);
  });

  it('downloads the dashboard as CSV: RFC 4180 quoting, formulas neutralised, the same figures', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button[data-action="export-csv"]')]);
    expect(download.suggestedFilename()).toBe('follow-up-dashboard.csv');
    const bytes = await readFile((await download.path())!);
    // UTF-8 with its byte order mark, so Excel on Windows reads accented names as they are.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = bytes.subarray(3).toString('utf8');
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('scope,group,figure,count,of,percent,patients');
    const figures = await dashboard();
    expect(lines).toContain(`all,All patients,Readmitted within 30 days of discharge,1,1,100,"Smith, Jane"`);
    expect(lines).toContain(`all,All patients,Overdue,1,3,${figures.totals.overdue.percent},centre patient`);
    expect(lines).toContain(`all,All patients,Due contacts completed,1,2,50,"'=HYPERLINK(""http://evil""); centre patient"`);
    expect(csv).not.toMatch(/(^|,)"?=/m);
    expect(lines).toContain(`all,All patients,1,4,100,100,"'=HYPERLINK(""http://evil"")"`);
    expect(lines).toContain('sms,1,1,0,100');

    const response = await fetch(`${platform.httpUrl}/follow-up/dashboard.csv?weeks=12`, { headers: { authorization: doctor.authorization } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect([...new Uint8Array(await response.arrayBuffer()).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="follow-up-dashboard.csv"');
    expect((await fetch(`${platform.httpUrl}/follow-up/dashboard.csv`)).status).toBe(401);
  });

  it('shows another care team nothing of these patients', async () => {
    const outsider = await createClinic(databaseUrl, 'outsider');
    const stranger = await ApiClient.login(platform.httpUrl, outsider.doctor.email, outsider.doctor.password);
    const own = await stranger.get<FollowUpDashboardResponse>('/follow-up/dashboard');
    expect(own.body.patients.map((patient) => patient.patientId)).toEqual([outsider.patientId]);
    const asked = await stranger.get<FollowUpDashboardResponse>(`/follow-up/dashboard?careTeamId=${clinic.careTeamId}`);
    expect(asked.body.patients).toEqual([]);
    expect((await stranger.get('/follow-up/dashboard?weeks=0')).status).toBe(400);
  });

  it('records a call outcome on the nurse worklist, and the attempt count goes up', async () => {
    await page.click('nav.views a:has-text("Worklist")');
    const row = `.nurse-worklist tr[data-patient-id="${clinic.patientId}"]`;
    await page.waitForSelector(row);
    expect(await page.textContent(`${row} td.attempts`)).toBe('0');
    expect(await page.getAttribute(row, 'data-status')).toBe('overdue');
    await page.selectOption(`${row} select[name=outcome]`, 'no_answer');
    await page.click(`${row} button[data-action="record-call"]`);
    await page.waitForSelector(`${row} td.attempts:has-text("1")`);
    expect(await page.textContent(`${row} td.last-outcome`)).toBe('No answer');
    const { body } = await doctor.get<FollowUpWorklist>('/follow-up/worklist');
    expect(body.items.find((item) => item.patientId === clinic.patientId)).toEqual(expect.objectContaining({ attempts: 1, lastOutcome: 'no_answer' }));

    page.once('dialog', (dialog) => void dialog.accept('Three calls unanswered'));
    await page.click(`${row} button[data-action="escalate"]`);
    await page.waitForSelector(`${row} td.escalated .badge`);
    const after = await doctor.get<FollowUpWorklist>('/follow-up/worklist');
    expect(after.body.items.find((item) => item.patientId === clinic.patientId)?.escalated).toBe(true);
    await screenshot('nurse-worklist');
  });

  it('shows the patient who asked to reschedule and the one who stopped uploading on the worklist, before their due day', async () => {
    const { body } = await doctor.get<FollowUpWorklist>('/follow-up/worklist');
    expect(body.items.find((item) => item.patientId === readmitted)).toEqual(expect.objectContaining({ rescheduleRequested: true, noReadings: null }));
    expect(body.items.find((item) => item.patientId === completed)?.noReadings?.since).toBe(silentSince);
    await page.reload();
    await page.waitForSelector(`.nurse-worklist tr[data-patient-id="${readmitted}"] [data-flag="reschedule-requested"]`);
    expect(await page.textContent(`.nurse-worklist tr[data-patient-id="${readmitted}"] [data-flag="reschedule-requested"]`)).toBe('asked to reschedule');
    const flag = `.nurse-worklist tr[data-patient-id="${completed}"] [data-flag="no-readings"]`;
    expect(await page.textContent(flag)).toMatch(/^no readings since /);
    expect(await page.getAttribute(flag, 'title')).toContain('blood pressure cuff 0 of 14');
    // The patient with neither is not flagged.
    expect(await page.locator(`.nurse-worklist tr[data-patient-id="${clinic.patientId}"] [data-flag]`).count()).toBe(0);
    await screenshot('nurse-worklist');
  });

  it('raised no script error and no content-security-policy violation', () => {
    expect(browserErrors).toEqual([]);
  });
});
