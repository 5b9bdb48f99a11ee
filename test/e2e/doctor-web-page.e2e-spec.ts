import type { DeviceReading } from '@rpm/contracts';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SimulatedDevice } from '../../device-simulators/src/simulated-device';
import { ApiClient } from '../support/api-client';
import { addPatient, createClinic, type ClinicFixture } from '../support/fixtures';
import { ARTIFACTS_DIR, launchChromium } from '../support/headless-chromium';
import { PlatformProcess } from '../support/platform-process';
import { createTestDatabase } from '../support/test-services';
import { waitFor } from '../support/wait-for';

interface Alert {
  id: string;
  status: string;
  severity: string;
  acknowledgedBy: string | null;
}

const HOUR = 3_600_000;
const hoursAgo = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();

/** Meter readings every 4 hours over three days, ending in a level 2 hypo (48 mg/dL) just now. */
const GLUCOSE: DeviceReading[] = [
  ...Array.from({ length: 18 }, (_, index): DeviceReading => ({
    metric: 'glucose',
    value: [112, 168, 143, 201, 131, 98][index % 6],
    unit: 'mg/dL',
    source: 'meter',
    measuredAt: hoursAgo(72 - index * 4),
    seq: index,
  })),
  { metric: 'glucose', value: 48, unit: 'mg/dL', source: 'meter', measuredAt: hoursAgo(0.05), seq: 100 },
];

/**
 * Fourteen days of CGM readings every 5 minutes ending now, a smooth daily swing between about 100 and
 * 220 mg/dL (no alert rule fires on it), none between 03:00 and 04:00 UTC: the hour the AGP leaves blank.
 */
function cgmFortnight(): DeviceReading[] {
  const now = Date.now();
  const step = 5 * 60_000;
  const readings: DeviceReading[] = [];
  for (let at = now - 14 * 24 * HOUR + step; at <= now - 60_000; at += step) {
    if (new Date(at).getUTCHours() === 3) continue;
    const hours = (at % (24 * HOUR)) / HOUR;
    const value = Math.round(160 + 60 * Math.sin((2 * Math.PI * hours) / 24));
    readings.push({ metric: 'glucose', value, unit: 'mg/dL', source: 'cgm', measuredAt: new Date(at).toISOString(), seq: 1000 + readings.length });
  }
  return readings;
}

interface AgpReport {
  from: string;
  to: string;
  binMinutes: number;
  binsWithData: number;
  profile: { startMinute: number; p50: number | null }[];
  ranges: { key: string; percent: number }[];
  sufficiency: { sufficient: boolean; coveragePercent: number };
  metrics: { readings: number } | null;
  dailyProfiles: { date: string; points: unknown[] }[];
}

// The browser's own types are not in this Node project: just what the checks below touch.
interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, width: number, height: number): { data: ArrayLike<number> } };
}
type BrowserGlobals = { sessionStorage: { getItem(key: string): string | null } };

/** Pixels of the chart's canvas in the glucose line's colour (#0969da): the line was really drawn. */
async function linePixels(page: Page): Promise<number> {
  return page.$eval('figure.chart[data-metric="glucose"] canvas', (element) => {
    const canvas = element as unknown as Canvas;
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let count = 0;
    for (let index = 0; index < data.length; index += 4) {
      if (Math.abs(data[index] - 0x09) < 24 && Math.abs(data[index + 1] - 0x69) < 24 && Math.abs(data[index + 2] - 0xda) < 24 && data[index + 3] > 200) count++;
    }
    return count;
  });
}

describe("the doctor's web page in headless Chromium", () => {
  let platform: PlatformProcess;
  let databaseUrl: string;
  let clinic: ClinicFixture;
  let doctor: ApiClient;
  let browser: Browser;
  let page: Page;
  const browserErrors: string[] = [];

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    browser = await launchChromium();
    platform = await PlatformProcess.start({ DATABASE_URL: databaseUrl, DEMO_SEED: 'false' });
    clinic = await createClinic(databaseUrl, 'web');
    doctor = await ApiClient.login(platform.httpUrl, clinic.doctor.email, clinic.doctor.password);
    const meter = await SimulatedDevice.connect(platform.mqttUrl, clinic.device);
    for (const reading of GLUCOSE) await meter.publish(reading);
    await meter.close();
    await doctor.post(`/patients/${clinic.patientId}/visits`, { occurredAt: hoursAgo(50), type: 'clinic', outcome: 'basal insulin started' });
    await doctor.post(`/patients/${clinic.patientId}/follow-up`, { pathway: 'diabetes' });
    await doctor.post(`/patients/${clinic.patientId}/questionnaires/adherence_check/responses`, {
      answers: { 'adherence-missed': 1, 'adherence-stopped': 0, 'adherence-ran-out': 0, 'adherence-side-effects': 0 },
    });
    await waitFor('the hypo alert', async () => ((await openAlerts()).length > 0 ? true : undefined));

    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('console', (message) => message.type() === 'error' && browserErrors.push(message.text()));
    page.on('pageerror', (error) => browserErrors.push(error.message));
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  const openAlerts = async () => (await doctor.get<{ alerts: Alert[] }>(`/patients/${clinic.patientId}/alerts?status=open`)).body.alerts;
  const screenshot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });

  it('refuses a wrong password on the page and lets the doctor in with the right one', async () => {
    await page.goto(`${platform.httpUrl}/`);
    await page.fill('input[name=email]', clinic.doctor.email);
    await page.fill('input[name=password]', 'not-the-password');
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Wrong e-mail or password.');
    browserErrors.length = 0; // Chromium logs the refused login's 401 itself; nothing after it may fail
    await page.fill('input[name=password]', clinic.doctor.password);
    await page.click('button[type=submit]');
    await page.waitForSelector(`tr[data-patient-id="${clinic.patientId}"]`);
    expect(await page.textContent(`tr[data-patient-id="${clinic.patientId}"]`)).toContain('1 urgent');
    await screenshot('patient-list');
  });

  it("opens the patient's page: summaries, the glucose chart with every reading drawn, the alert, plan and visit", async () => {
    await page.click(`tr[data-patient-id="${clinic.patientId}"] a`);
    const chart = await page.waitForSelector('figure.chart[data-metric="glucose"] canvas');
    expect(await page.getAttribute('figure.chart[data-metric="glucose"]', 'data-points')).toBe(String(GLUCOSE.length));
    expect(await chart.isVisible()).toBe(true);
    await waitFor('the glucose line on the canvas', async () => ((await linePixels(page)) > 200 ? true : undefined));
    const side = await page.textContent('aside');
    expect(side).toContain('Level 2 hypoglycaemia');
    expect(side).toMatch(/Contact\s*every \d+ days/); // the plan is shown with its interval
    expect(side).toContain('basal insulin started');
    await page.waitForSelector('[data-panel=questionnaires] tr[data-response]');
    expect(await page.textContent('[data-panel=questionnaires]')).toMatch(/Medication check\s*1 \/ 4\s*problems reported/);
    expect(await page.textContent('.cards')).toContain('Days with data');
    await screenshot('patient-page');
  });

  it('acknowledges the alert from the page, in the name of the doctor', async () => {
    const [alert] = await openAlerts();
    await page.click(`li.alert[data-alert-id="${alert.id}"] button:has-text("Acknowledge")`);
    await page.waitForSelector(`li.alert[data-alert-id="${alert.id}"][data-status="acknowledged"]`);
    const { body } = await doctor.get<{ alerts: Alert[] }>(`/patients/${clinic.patientId}/alerts?status=acknowledged`);
    expect(body.alerts.map((acknowledged) => acknowledged.id)).toEqual([alert.id]);
    expect(body.alerts[0].acknowledgedBy).toEqual(expect.any(String));
    await screenshot('alert-acknowledged');
  });

  it('records a telephone contact from the page, in the name of the doctor', async () => {
    await page.selectOption('select[name=visit-type]', 'telephone');
    await page.fill('input[name=visit-outcome]', 'Hypo discussed, lunch insulin reduced');
    await page.click('button:has-text("Record contact")');
    await page.waitForSelector('ol.visits li:has-text("Hypo discussed, lunch insulin reduced")');
    const { body } = await doctor.get<{ visits: { type: string; outcome: string; clinicianId: string }[] }>(`/patients/${clinic.patientId}/visits`);
    expect(body.visits[0]).toEqual(
      expect.objectContaining({ type: 'telephone', outcome: 'Hypo discussed, lunch insulin reduced', clinicianId: expect.any(String) }),
    );
  });

  it('shows a new alert of another patient in the live feed as it is raised', async () => {
    await page.click('text=← All patients');
    await page.waitForSelector('ol.feed', { state: 'attached' });
    const other = await addPatient(databaseUrl, clinic.careTeamId, 'Live Feed Patient');
    await page.waitForTimeout(500); // the stream is open before the alert is raised
    const meter = await SimulatedDevice.connect(platform.mqttUrl, other.device);
    await meter.publish({ metric: 'glucose', value: 45, unit: 'mg/dL', source: 'meter', measuredAt: hoursAgo(0.1), seq: 1 });
    await meter.close();
    await page.waitForSelector('ol.feed li:has-text("Live Feed Patient — Level 2 hypoglycaemia open")', { timeout: 20_000 });
    await page.waitForSelector(`tr[data-patient-id="${other.patientId}"]:has-text("1 urgent")`);
    const first = await page.getAttribute('table.worklist tbody tr:first-child', 'data-patient-id');
    expect(first).toBe(other.patientId);
    await screenshot('live-feed');
  });

  it("draws a CGM patient's AGP report from the API's data: the range bar's shares, the modal day's bins, one profile a day", async () => {
    const agpPatient = await addPatient(databaseUrl, clinic.careTeamId, 'AGP Patient');
    await doctor.post(`/patients/${agpPatient.patientId}/follow-up`, { pathway: 'diabetes' }); // the page asks for the plan
    const cgm = cgmFortnight();
    const sensor = await SimulatedDevice.connect(platform.mqttUrl, agpPatient.device);
    for (let start = 0; start < cgm.length; start += 250) await sensor.publish({ readings: cgm.slice(start, start + 250) });
    await sensor.close();
    const base = `/patients/${agpPatient.patientId}/reports/agp`;
    const report = await waitFor('the fortnight stored', async () => {
      const { body } = await doctor.get<AgpReport>(base);
      return body.metrics?.readings === cgm.length ? body : undefined;
    });
    // The UTC time zone of the fixture: the 03:00-04:00 gap is bins 12 to 15 of 96.
    expect(report.profile.filter((bin) => bin.p50 === null).map((bin) => bin.startMinute)).toEqual([180, 195, 210, 225]);
    expect(report.binsWithData).toBe(92);
    expect(report.sufficiency).toEqual(expect.objectContaining({ sufficient: true, coveragePercent: expect.closeTo((23 / 24) * 100, 0) }));

    await page.goto(`${platform.httpUrl}/app#/patients/${agpPatient.patientId}`);
    const [answer] = await Promise.all([page.waitForResponse((response) => response.url().includes(`${base}?`)), page.click('a:has-text("AGP report")')]);
    await page.waitForSelector('figure.agp-profile canvas');
    // The page asked for the last 14 days at its own "now": the same period asked again gives the figures it shows.
    const asked = new URL(answer.url());
    const shownReport = (await doctor.get<AgpReport>(`${asked.pathname}${asked.search}`)).body;
    expect((Date.parse(shownReport.to) - Date.parse(shownReport.from)) / (24 * HOUR)).toBe(14);
    expect(await page.getAttribute('figure.agp-profile', 'data-points')).toBe('96');
    const shown = await page.$$eval('.tir-segment', (segments) =>
      segments.map((segment) => [segment.getAttribute('data-range'), Number(segment.getAttribute('data-percent'))]),
    );
    expect(shown).toEqual(shownReport.ranges.map((range) => [range.key, range.percent]));
    for (const range of shownReport.ranges)
      expect(await page.textContent(`.tir-labels li[data-range="${range.key}"] .range-percent`)).toBe(`${range.percent}%`);
    expect(Number(await page.getAttribute('figure.agp-profile', 'data-bins-with-data'))).toBe(shownReport.binsWithData);
    expect(await page.locator('figure.daily').count()).toBe(shownReport.dailyProfiles.length);
    expect(await page.$$eval('figure.daily', (days) => days.map((day) => Number(day.getAttribute('data-points'))))).toEqual(
      shownReport.dailyProfiles.map((day) => day.points.length),
    );
    expect(await page.locator('.insufficient-notice').count()).toBe(0);
    await screenshot('agp-report');

    await page.click('a:has-text("AGP Patient")');
    await page.click('a:has-text("Home BP report")');
    await page.waitForSelector('.bp-mean');
    expect(await page.textContent('.bp-mean')).toContain('No home blood-pressure readings in this period.');
  });

  it('greys the CGM figures of a patient with almost no CGM data instead of judging them', async () => {
    const sparse = await addPatient(databaseUrl, clinic.careTeamId, 'Sparse CGM Patient');
    await doctor.post(`/patients/${sparse.patientId}/follow-up`, { pathway: 'diabetes' });
    const sensor = await SimulatedDevice.connect(platform.mqttUrl, sparse.device);
    await sensor.publish({ metric: 'glucose', value: 120, unit: 'mg/dL', source: 'cgm', measuredAt: hoursAgo(1), seq: 1 });
    await sensor.close();
    await waitFor('the reading stored', async () =>
      (await doctor.get<AgpReport>(`/patients/${sparse.patientId}/reports/agp`)).body.ranges ? true : undefined,
    );
    await page.goto(`${platform.httpUrl}/app#/patients/${sparse.patientId}`);
    const tir = await page.waitForSelector('.card[data-card="Time in range 70–180"]');
    expect(await tir.getAttribute('class')).toContain('insufficient');
    expect(await tir.textContent()).toContain('not enough data');
    await page.goto(`${platform.httpUrl}/app#/patients/${sparse.patientId}/agp`);
    await page.waitForSelector('.insufficient-notice');
    expect(await page.textContent('figure.agp-profile')).toContain('Not enough CGM data to draw a profile.');
  });

  it('signs out: the token is refused by the API afterwards and the page asks for a login again', async () => {
    expect(await page.textContent('#who')).toBe('Dr web (doctor)');
    const token = await page.evaluate(() => (globalThis as unknown as BrowserGlobals).sessionStorage.getItem('rpm.token'));
    await page.click('#sign-out');
    await page.waitForSelector('input[name=password]');
    const response = await fetch(`${platform.httpUrl}/patients`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(401);
    await page.goto(`${platform.httpUrl}/app#/patients/${clinic.patientId}`);
    await page.waitForSelector('input[name=password]');
  });

  it('raised no script error and no content-security-policy violation', () => {
    expect(browserErrors).toEqual([]);
  });
});
