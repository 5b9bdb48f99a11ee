import { randomBytes } from 'node:crypto';
import { PROFILE_DEVICES, PROFILE_PROGRAMME, type PatientProfile } from '../cohort/patient-profile';
import type { ProvisionedDevice } from '../cohort/simulated-patient';

export interface ProvisionRequest {
  apiUrl: string;
  adminEmail: string;
  adminPassword: string;
  /** An existing care team; a new one is created when absent. */
  careTeamId?: string;
  profiles: readonly PatientProfile[];
  /** For patient names and the team name, so reruns are told apart. */
  label: string;
}

interface Session {
  post<T>(path: string, body: unknown): Promise<T>;
}

async function login(apiUrl: string, email: string, password: string): Promise<Session> {
  const call = async <T>(path: string, body: unknown, token?: string): Promise<T> => {
    const response = await fetch(`${apiUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`POST ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  };
  const { token } = await call<{ token: string }>('/auth/login', { email, password });
  return { post: (path, body) => call(path, body, token) };
}

/**
 * Provisions a cohort through the platform's own HTTP API, as an administrator would: a care team (unless
 * given), the patients, and their devices. Devices are registered by a clinician of the patient's care team
 * (the API scopes device routes to care teams, administrators included), so the provisioner creates a
 * service nurse account in the team for that. Each device secret is returned once, by the API.
 */
export async function provisionThroughApi(request: ProvisionRequest): Promise<ProvisionedDevice[]> {
  const admin = await login(request.apiUrl, request.adminEmail, request.adminPassword);
  const careTeamId = request.careTeamId ?? (await admin.post<{ id: string }>('/admin/care-teams', { name: `Simulated cohort ${request.label}` })).id;
  const provisioner = {
    email: `sim.provisioner.${randomBytes(4).toString('hex')}@example.org`,
    password: randomBytes(18).toString('base64url'),
  };
  const user = await admin.post<{ id: string }>('/admin/users', { ...provisioner, displayName: 'Device simulator (service account)', role: 'nurse' });
  await admin.post(`/admin/care-teams/${careTeamId}/members`, { userId: user.id });
  const nurse = await login(request.apiUrl, provisioner.email, provisioner.password);

  const devices: ProvisionedDevice[] = [];
  for (const [index, profile] of request.profiles.entries()) {
    const patient = await admin.post<{ id: string }>('/admin/patients', {
      displayName: `Simulated ${profile} ${request.label}-${index + 1}`,
      programme: PROFILE_PROGRAMME[profile],
      careTeamId,
    });
    for (const kind of PROFILE_DEVICES[profile]) {
      const issued = await nurse.post<{ deviceId: string; secret: string }>(`/patients/${patient.id}/devices`, { kind });
      devices.push({ patientId: patient.id, deviceId: issued.deviceId, secret: issued.secret, kind, profile });
    }
  }
  return devices;
}
