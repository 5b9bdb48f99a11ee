import { createHash } from 'node:crypto';
import { parsePairingQrUri } from '@rpm/contracts';
import { connectAsync, type IClientOptions } from 'mqtt';
import { Client } from 'pg';
import QRCode from 'qrcode';
import { ApiClient } from '../support/api-client';
import { launchChromium } from '../support/headless-chromium';
import { createClinic, type ClinicFixture } from '../support/fixtures';
import { PlatformProcess } from '../support/platform-process';
import { createTestDatabase } from '../support/test-services';

interface IssuedCredential {
  deviceId: string;
  secret: string;
  mqtt: { clientId: string; username: string; readingsTopic: string; repliesTopic: string };
}

describe('device enrolment through the API: register, pair, revoke', () => {
  let platform: PlatformProcess;
  let databaseUrl: string;
  let clinic: ClinicFixture;
  let outsider: ClinicFixture;
  let doctor: ApiClient;

  const connectAs = (credential: IssuedCredential, extra: IClientOptions = {}) =>
    connectAsync(platform.mqttUrl, {
      protocolVersion: 4,
      clientId: credential.mqtt.clientId,
      username: credential.mqtt.username,
      password: credential.secret,
      reconnectPeriod: 0,
      ...extra,
    });
  const reading = () => JSON.stringify({ metric: 'spo2', value: 97, unit: '%', measuredAt: new Date().toISOString() });

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    platform = await PlatformProcess.start({ DATABASE_URL: databaseUrl, DEMO_SEED: 'false' });
    [clinic, outsider] = [await createClinic(databaseUrl, 'enrol'), await createClinic(databaseUrl, 'other')];
    doctor = await ApiClient.login(platform.httpUrl, clinic.doctor.email, clinic.doctor.password);
  });

  afterAll(() => platform?.stop());

  it('issues a credential once, stores only its hash, and the device publishes with it', async () => {
    const { status, body: issued } = await doctor.post<IssuedCredential>(`/patients/${clinic.patientId}/devices`, { kind: 'pulse_oximeter' });
    expect(status).toBe(201);
    expect(issued.mqtt.readingsTopic).toBe(`rpm/v1/devices/${issued.deviceId}/readings`);

    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    const { rows } = await sql.query('SELECT credential_hash FROM devices WHERE id = $1', [issued.deviceId]);
    await sql.end();
    expect(rows[0].credential_hash).toBe(createHash('sha256').update(issued.secret).digest('hex'));

    const { body: listed } = await doctor.get<{ devices: Record<string, unknown>[] }>(`/patients/${clinic.patientId}/devices`);
    expect(listed.devices).toContainEqual(expect.objectContaining({ deviceId: issued.deviceId, kind: 'pulse_oximeter', revokedAt: null }));
    expect(JSON.stringify(listed)).not.toContain(issued.secret);

    const device = await connectAs(issued);
    await device.publishAsync(issued.mqtt.readingsTopic, reading(), { qos: 1 });
    await device.endAsync();
  });

  it("refuses to register a device for a patient outside the caller's care teams, and a duplicate id", async () => {
    const stranger = await ApiClient.login(platform.httpUrl, outsider.doctor.email, outsider.doctor.password);
    expect((await stranger.post(`/patients/${clinic.patientId}/devices`, { kind: 'cgm' })).status).toBe(404);
    expect((await doctor.post(`/patients/${clinic.patientId}/devices`, { kind: 'cgm', deviceId: clinic.device.deviceId })).status).toBe(409);
    expect((await doctor.post(`/patients/${clinic.patientId}/devices`, { kind: 'toaster' })).status).toBe(400);
  });

  it('revoking a device closes its live connection at once and refuses it afterwards', async () => {
    const { body: issued } = await doctor.post<IssuedCredential>(`/patients/${clinic.patientId}/devices`, { kind: 'wearable' });
    const device = await connectAs(issued);
    const closed = new Promise<void>((resolve) => device.once('close', () => resolve()));
    const { status, body } = await doctor.post<{ revokedAt: string | null }>(`/patients/${clinic.patientId}/devices/${issued.deviceId}/revoke`);
    expect(status).toBe(200);
    expect(body.revokedAt).not.toBeNull();
    await closed;
    device.end(true);
    await expect(connectAs(issued)).rejects.toMatchObject({ code: 4 });
  });

  it('pairs a device with a one-time code a patient types, once', async () => {
    const { status, body: pairing } = await doctor.post<{ code: string; expiresAt: string }>(`/patients/${clinic.patientId}/pairing-codes`, {
      kind: 'blood_pressure_cuff',
    });
    expect(status).toBe(201);
    expect(pairing.code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);

    const patientApp = ApiClient.anonymous(platform.httpUrl);
    const claimed = await patientApp.post<IssuedCredential>('/pairing/claim', { code: pairing.code.toLowerCase() });
    expect(claimed.status).toBe(201);
    const device = await connectAs(claimed.body);
    await device.publishAsync(
      claimed.body.mqtt.readingsTopic,
      JSON.stringify({ metric: 'blood_pressure', systolic: 131, diastolic: 84, unit: 'mmHg', measuredAt: new Date().toISOString() }),
      { qos: 1 },
    );
    await device.endAsync();

    expect((await patientApp.post('/pairing/claim', { code: pairing.code })).status).toBe(404);
    expect((await patientApp.post('/pairing/claim', { code: 'not a code' })).status).toBe(400);
    const { body: listed } = await doctor.get<{ devices: { deviceId: string; kind: string }[] }>(`/patients/${clinic.patientId}/devices`);
    expect(listed.devices).toContainEqual(expect.objectContaining({ deviceId: claimed.body.deviceId, kind: 'blood_pressure_cuff' }));
  });

  it('shows a discharge QR code for the pairing code: drawn by the qrcode library from the documented URI, pairs once, scoped and audited', async () => {
    const { status, body } = await doctor.post<{ code: string; expiresAt: string; qr: { payload: string; svg: string; pngDataUrl: string } }>(
      `/patients/${clinic.patientId}/pairing-codes`,
      { kind: 'hub' },
    );
    expect(status).toBe(201);
    expect(body.qr.payload).toBe(`rpm-pair:v1?code=${body.code}&api=${encodeURIComponent(platform.httpUrl)}`);
    expect(parsePairingQrUri(body.qr.payload)).toEqual({ code: body.code, api: platform.httpUrl });
    // The symbol is exactly what the library draws for exactly that payload (no decoder needed to check it).
    expect(body.qr.svg).toBe(await QRCode.toString(body.qr.payload, { type: 'svg', errorCorrectionLevel: 'M' }));
    expect(body.qr.svg).toMatch(/^<svg [^>]*viewBox="0 0 \d+ \d+"/);
    expect(body.qr.pngDataUrl).toBe(await QRCode.toDataURL(body.qr.payload, { type: 'image/png', errorCorrectionLevel: 'M', scale: 8 }));

    // A hub that scanned it claims the code at the address in the QR code, and publishes with the credential.
    const scanned = parsePairingQrUri(body.qr.payload)!;
    const hub = ApiClient.anonymous(scanned.api);
    const claimed = await hub.post<IssuedCredential>('/pairing/claim', { code: scanned.code });
    expect(claimed.status).toBe(201);
    const device = await connectAs(claimed.body);
    await device.publishAsync(claimed.body.mqtt.readingsTopic, reading(), { qos: 1 });
    await device.endAsync();
    expect((await hub.post('/pairing/claim', { code: scanned.code })).status).toBe(404); // one-time

    const stranger = await ApiClient.login(platform.httpUrl, outsider.doctor.email, outsider.doctor.password);
    const refused = await stranger.post(`/patients/${clinic.patientId}/pairing-codes`, { kind: 'hub' });
    expect(refused.status).toBe(404);

    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    try {
      const { rows } = await sql.query<{ email: string; outcome: string }>(
        `SELECT u.email, a.outcome FROM audit_log a JOIN users u ON u.id = a.user_id
          WHERE a.patient_id = $1 AND a.action = 'devices.pairing_code' ORDER BY a.seq`,
        [clinic.patientId],
      );
      expect(rows).toEqual(
        expect.arrayContaining([
          { email: clinic.doctor.email, outcome: 'allowed' },
          { email: outsider.doctor.email, outcome: 'denied' },
        ]),
      );
    } finally {
      await sql.end();
    }
  });

  it("offers 'Enrol a device' on the doctor's patient page: the QR code of a fresh code, and a sheet that prints on its own (headless Chromium)", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${platform.httpUrl}/app`);
      await page.fill('input[name=email]', clinic.doctor.email);
      await page.fill('input[name=password]', clinic.doctor.password);
      await page.click('button[type=submit]');
      await page.waitForSelector('table.worklist tbody tr');
      await page.goto(`${platform.httpUrl}/app#/patients/${clinic.patientId}`);
      await page.click('a.enrol-action');
      await page.waitForSelector('.enrol-form');
      await page.selectOption('select[name=kind]', 'blood_pressure_cuff');
      await page.click('.enrol-form button[type=submit]');
      await page.waitForSelector('img.enrol-qr');
      const code = (await page.textContent('[data-code]'))!;
      const payload = (await page.getAttribute('img.enrol-qr', 'data-payload'))!;
      expect(parsePairingQrUri(payload)).toEqual({ code, api: platform.httpUrl });
      const src = (await page.getAttribute('img.enrol-qr', 'src'))!;
      expect(decodeURIComponent(src.replace('data:image/svg+xml;charset=utf-8,', ''))).toBe(
        await QRCode.toString(payload, { type: 'svg', errorCorrectionLevel: 'M' }),
      );
      expect(await page.$eval('img.enrol-qr', (image) => (image as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
      await page.emulateMedia({ media: 'print' });
      expect(await page.isVisible('.enrol-form')).toBe(false);
      expect(await page.isVisible('img.enrol-qr')).toBe(true);
      const claimed = await ApiClient.anonymous(platform.httpUrl).post<IssuedCredential>('/pairing/claim', { code });
      expect(claimed.status).toBe(201);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('rate-limits pairing claims per address', async () => {
    const patientApp = ApiClient.anonymous(platform.httpUrl);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 12; attempt++) statuses.push((await patientApp.post('/pairing/claim', { code: 'ZZZZ-ZZZZ' })).status);
    expect(statuses).toContain(429);
  });
});
