import { createHash } from 'node:crypto';
import { connectAsync, type IClientOptions } from 'mqtt';
import { Client } from 'pg';
import { ApiClient } from '../support/api-client';
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

  it('rate-limits pairing claims per address', async () => {
    const patientApp = ApiClient.anonymous(platform.httpUrl);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 12; attempt++) statuses.push((await patientApp.post('/pairing/claim', { code: 'ZZZZ-ZZZZ' })).status);
    expect(statuses).toContain(429);
  });
});
