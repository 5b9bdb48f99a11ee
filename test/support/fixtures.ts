import { hashPassword, hashSecret } from '@rpm/security';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

export interface ClinicFixture {
  careTeamId: string;
  doctor: { email: string; password: string };
  patientId: string;
  device: { deviceId: string; secret: string };
}

/** A care team with one doctor, one patient and one registered device, straight into PostgreSQL. */
export async function createClinic(databaseUrl: string, label: string): Promise<ClinicFixture> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const fixture: ClinicFixture = {
      careTeamId: randomUUID(),
      doctor: { email: `${label}.doctor.${randomUUID().slice(0, 8)}@example.org`, password: `pw-${randomUUID()}` },
      patientId: randomUUID(),
      device: { deviceId: `${label}-meter-${randomUUID().slice(0, 8)}`, secret: `secret-${randomUUID()}` },
    };
    const doctor = await client.query(`INSERT INTO users (email, display_name, role, password_hash) VALUES ($1, $2, 'doctor', $3) RETURNING id`, [
      fixture.doctor.email,
      `Dr ${label}`,
      await hashPassword(fixture.doctor.password),
    ]);
    await client.query('INSERT INTO care_teams (id, name) VALUES ($1, $2)', [fixture.careTeamId, `${label} team`]);
    await client.query('INSERT INTO care_team_members VALUES ($1, $2)', [fixture.careTeamId, doctor.rows[0].id]);
    await client.query(`INSERT INTO patients (id, display_name, programme, care_team_id) VALUES ($1, $2, 'diabetes', $3)`, [
      fixture.patientId,
      `${label} patient`,
      fixture.careTeamId,
    ]);
    await client.query(`INSERT INTO devices (id, patient_id, kind, credential_hash) VALUES ($1, $2, 'glucose_meter', $3)`, [
      fixture.device.deviceId,
      fixture.patientId,
      hashSecret(fixture.device.secret),
    ]);
    return fixture;
  } finally {
    await client.end();
  }
}

/** An administrator account straight into PostgreSQL (administrators create everyone else through the API). */
export async function createAdmin(databaseUrl: string): Promise<{ email: string; password: string }> {
  const admin = { email: `admin.${randomUUID().slice(0, 8)}@example.org`, password: `pw-${randomUUID()}` };
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`INSERT INTO users (email, display_name, role, password_hash) VALUES ($1, 'Admin', 'admin', $2)`, [
      admin.email,
      await hashPassword(admin.password),
    ]);
  } finally {
    await client.end();
  }
  return admin;
}

/** Another patient, with a glucose meter, in an existing care team. */
export async function addPatient(
  databaseUrl: string,
  careTeamId: string,
  displayName: string,
): Promise<{ patientId: string; device: { deviceId: string; secret: string } }> {
  const patient = { patientId: randomUUID(), device: { deviceId: `meter-${randomUUID().slice(0, 8)}`, secret: `secret-${randomUUID()}` } };
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`INSERT INTO patients (id, display_name, programme, care_team_id) VALUES ($1, $2, 'diabetes', $3)`, [
      patient.patientId,
      displayName,
      careTeamId,
    ]);
    await client.query(`INSERT INTO devices (id, patient_id, kind, credential_hash) VALUES ($1, $2, 'glucose_meter', $3)`, [
      patient.device.deviceId,
      patient.patientId,
      hashSecret(patient.device.secret),
    ]);
  } finally {
    await client.end();
  }
  return patient;
}
