import {
  agpReportSchema,
  aggregateResponseSchema,
  alertCommentSchema,
  alertCommentsResponseSchema,
  alertSchema,
  alertsPageResponseSchema,
  careTeamMembershipSchema,
  careTeamSchema,
  createdPatientSchema,
  createdUserSchema,
  deviceSchema,
  devicesResponseSchema,
  fhirFlagBundleSchema,
  fhirObservationBundleSchema,
  followUpDashboardSchema,
  followUpResponseSchema,
  healthResponseSchema,
  homeBpReportSchema,
  issuedCredentialSchema,
  pairingCodeResponseSchema,
  patientRulesResponseSchema,
  patientSchema,
  patientSummarySchema,
  profileResponseSchema,
  programmeMetricsSchema,
  readingsResponseSchema,
  ruleOverrideResponseSchema,
  timelineResponseSchema,
  userStatusSchema,
  visitSchema,
  visitsPageResponseSchema,
  worklistResponseSchema,
} from '@rpm/contracts';
import type { Browser } from 'playwright-core';
import type { z } from 'zod';
import { SimulatedDevice } from '../../device-simulators/src/simulated-device';
import { ApiClient } from '../support/api-client';
import { createAdmin, createClinic, type ClinicFixture } from '../support/fixtures';
import { launchChromium } from '../support/headless-chromium';
import { PlatformProcess } from '../support/platform-process';
import { createTestDatabase } from '../support/test-services';
import { waitFor } from '../support/wait-for';

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

/**
 * A real answer of the running API holds its contract exactly: it parses, and parsing changes nothing
 * (no field the contract does not name, every date already an ISO string).
 */
function expectContract<S extends z.ZodType>(schema: S, response: { status: number; body: unknown }, status: number): z.output<S> {
  expect(response.status).toBe(status);
  const parsed = schema.safeParse(response.body);
  expect(parsed.error?.issues ?? []).toEqual([]);
  expect(parsed.data).toEqual(response.body);
  return parsed.data as z.output<S>;
}

describe('every main route answers with its contract from libs/contracts, and /docs shows them', () => {
  let platform: PlatformProcess;
  let databaseUrl: string;
  let clinic: ClinicFixture;
  let doctor: ApiClient;
  let admin: ApiClient;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    platform = await PlatformProcess.start({ DATABASE_URL: databaseUrl, DEMO_SEED: 'false' });
    clinic = await createClinic(databaseUrl, 'contracts');
    doctor = await ApiClient.login(platform.httpUrl, clinic.doctor.email, clinic.doctor.password);
    const adminAccount = await createAdmin(databaseUrl);
    admin = await ApiClient.login(platform.httpUrl, adminAccount.email, adminAccount.password);
    const device = await SimulatedDevice.connect(platform.mqttUrl, clinic.device);
    await device.publish({ metric: 'glucose', value: 45, unit: 'mg/dL', source: 'meter', measuredAt: minutesAgo(5), seq: 1 });
    await device.publish({ metric: 'blood_pressure', systolic: 128, diastolic: 82, unit: 'mmHg', measuredAt: minutesAgo(4), seq: 2 });
    await device.close();
  });
  afterAll(() => platform?.stop());

  it('patients, readings, timeline, summary and FHIR', async () => {
    const base = `/patients/${clinic.patientId}`;
    const readings = await waitFor('both readings stored', async () => {
      const response = await doctor.get(`${base}/readings`);
      return (response.body as { readings: unknown[] }).readings.length === 2 ? response : undefined;
    });
    expectContract(readingsResponseSchema, readings, 200);
    expectContract(worklistResponseSchema, await doctor.get('/patients'), 200);
    expectContract(patientSchema, await doctor.get(base), 200);
    expectContract(aggregateResponseSchema, await doctor.get(`${base}/readings/aggregate?metric=glucose`), 200);
    expectContract(timelineResponseSchema, await doctor.get(`${base}/timeline`), 200);
    expectContract(patientSummarySchema, await doctor.get(`${base}/summary`), 200);
    // A meter reading is no CGM data: the AGP says so rather than drawing; one BP reading is too few for a mean.
    const agp = expectContract(agpReportSchema, await doctor.get(`${base}/reports/agp`), 200);
    expect(agp).toEqual(expect.objectContaining({ metrics: null, ranges: null, binsWithData: 0 }));
    expect(agp.sufficiency.message).toBe('No CGM readings in this period.');
    const homeBp = expectContract(homeBpReportSchema, await doctor.get(`${base}/reports/home-bp`), 200);
    expect(homeBp.mean).toBeNull();
    expect(homeBp.days.reduce((sum, day) => sum + day.readings, 0)).toBe(1);
    expect((await doctor.get(`${base}/reports/agp?from=2026-01-01T00:00:00Z&to=2025-12-01T00:00:00Z`)).status).toBe(400);
    expect((await doctor.get(`${base}/reports/agp?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z`)).status).toBe(400);
    expect(expectContract(fhirObservationBundleSchema, await doctor.get(`${base}/fhir/Observation`), 200).total).toBe(2);
    expectContract(fhirFlagBundleSchema, await doctor.get(`${base}/fhir/Flag`), 200);
    expectContract(profileResponseSchema, await doctor.get('/auth/me'), 200);
    expectContract(healthResponseSchema, await ApiClient.anonymous(platform.httpUrl).get('/health'), 200);
    expectContract(programmeMetricsSchema, await doctor.get('/programme/metrics'), 200);
    expectContract(followUpDashboardSchema, await doctor.get('/follow-up/dashboard?weeks=4'), 200);
  });

  it('alerts: the page, acknowledge, comments, snooze and resolve', async () => {
    const base = `/patients/${clinic.patientId}/alerts`;
    const page = await waitFor('the hypo alert', async () => {
      const response = await doctor.get<{ alerts: { id: string }[] }>(base);
      return response.body.alerts.length > 0 ? response : undefined;
    });
    const { alerts } = expectContract(alertsPageResponseSchema, page, 200);
    const alert = `${base}/${alerts[0].id}`;
    expect(expectContract(alertSchema, await doctor.post(`${alert}/acknowledge`), 200).status).toBe('acknowledged');
    expectContract(alertCommentSchema, await doctor.post(`${alert}/comments`, { text: 'called the patient' }), 201);
    expectContract(alertCommentsResponseSchema, await doctor.get(`${alert}/comments`), 200);
    expectContract(alertSchema, await doctor.post(`${alert}/snooze`, { minutes: 30 }), 200);
    expectContract(alertSchema, await doctor.post(`${alert}/resolve`, { note: 'treated' }), 200);
  });

  it('devices, pairing, follow-up, rules and visits', async () => {
    const base = `/patients/${clinic.patientId}`;
    const registered = expectContract(issuedCredentialSchema, await doctor.post(`${base}/devices`, { kind: 'cgm' }), 201);
    expectContract(devicesResponseSchema, await doctor.get(`${base}/devices`), 200);
    expectContract(deviceSchema, await doctor.post(`${base}/devices/${registered.deviceId}/revoke`), 200);
    const { code } = expectContract(pairingCodeResponseSchema, await doctor.post(`${base}/pairing-codes`, { kind: 'hub' }), 201);
    expectContract(issuedCredentialSchema, await ApiClient.anonymous(platform.httpUrl).post('/pairing/claim', { code }), 201);

    expectContract(followUpResponseSchema, await doctor.post(`${base}/follow-up`, { pathway: 'diabetes' }), 201);
    expectContract(followUpResponseSchema, await doctor.get(`${base}/follow-up`), 200);

    expectContract(patientRulesResponseSchema, await doctor.get(`${base}/rules`), 200);
    expectContract(ruleOverrideResponseSchema, await doctor.put(`${base}/rules/glucose.level2_hypo`, { params: {}, disabled: true }), 200);

    const visit = expectContract(visitSchema, await doctor.post(`${base}/visits`, { occurredAt: minutesAgo(60), type: 'clinic', notes: 'review' }), 201);
    expectContract(visitSchema, await doctor.patch(`${base}/visits/${visit.id}`, { outcome: 'stable' }), 200);
    expectContract(visitsPageResponseSchema, await doctor.get(`${base}/visits`), 200);
  });

  it('administration: care teams, accounts (never their password) and patients', async () => {
    const team = expectContract(careTeamSchema, await admin.post('/admin/care-teams', { name: 'Contracts clinic' }), 201);
    const user = await admin.post('/admin/users', {
      email: `contracts.${Date.now()}@example.org`,
      password: 'a-long-enough-password',
      displayName: 'Nurse C',
      role: 'nurse',
    });
    const created = expectContract(createdUserSchema, user, 201);
    expect(JSON.stringify(user.body)).not.toMatch(/password|hash/i);
    expectContract(careTeamMembershipSchema, await admin.post(`/admin/care-teams/${team.id}/members`, { userId: created.id }), 201);
    expect(expectContract(userStatusSchema, await admin.post(`/admin/users/${created.id}/disable`), 200).disabledAt).not.toBeNull();
    expect(expectContract(userStatusSchema, await admin.post(`/admin/users/${created.id}/enable`), 200).disabledAt).toBeNull();
    expect((await admin.post('/admin/users/00000000-0000-4000-8000-000000000000/disable')).status).toBe(404);
    expectContract(createdPatientSchema, await admin.post('/admin/patients', { displayName: 'P C', programme: 'diabetes', careTeamId: team.id }), 201);
  });

  it('serves the Swagger UI viewer at /docs, public and under its own content security policy', async () => {
    const response = await fetch(`${platform.httpUrl}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await response.text()).toContain('swagger-ui');
    expect((await fetch(`${platform.httpUrl}/docs/swagger-ui-bundle.js`)).status).toBe(200);
  });

  it('draws every operation of the document in headless Chromium without a script error or CSP violation', async () => {
    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${platform.httpUrl}/docs`);
      await page.waitForSelector('.opblock-summary-path');
      expect(await page.locator('.opblock').count()).toBeGreaterThanOrEqual(40);
      expect(await page.textContent('body')).toContain('/patients/{patientId}/summary');
      expect(errors).toEqual([]);
    } finally {
      await browser?.close();
    }
  });
});
