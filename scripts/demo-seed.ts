import { hashPassword, hashSecret } from '@rpm/security';
import { seedOnce } from './seed-transaction';

/** Published in README.md: demo credentials for a local, embedded run only. */
export const DEMO = {
  doctor: { email: 'demo.doctor@example.org', password: 'demo-password', name: 'Dr Demo' },
  admin: { email: 'demo.admin@example.org', password: 'demo-admin-password', name: 'Demo Administrator' },
  patient: { id: '00000000-0000-4000-8000-000000000001', name: 'Demo Patient', programme: 'diabetes' },
  device: { id: 'demo-glucose-meter', secret: 'demo-device-secret', kind: 'glucose_meter' },
  careTeamId: '00000000-0000-4000-8000-0000000000c1',
} as const;

/** Adds the demo doctor and administrator, care team, patient and device once; a database that has users is left alone. */
export async function seedDemo(databaseUrl: string): Promise<boolean> {
  const [passwordHash, adminPasswordHash] = await Promise.all([hashPassword(DEMO.doctor.password), hashPassword(DEMO.admin.password)]);
  return seedOnce(
    databaseUrl,
    async (client) => Boolean((await client.query('SELECT 1 FROM users LIMIT 1')).rowCount),
    async (client) => {
      const doctor = await client.query(`INSERT INTO users (email, display_name, role, password_hash) VALUES ($1, $2, 'doctor', $3) RETURNING id`, [
        DEMO.doctor.email,
        DEMO.doctor.name,
        passwordHash,
      ]);
      await client.query(`INSERT INTO users (email, display_name, role, password_hash) VALUES ($1, $2, 'admin', $3)`, [
        DEMO.admin.email,
        DEMO.admin.name,
        adminPasswordHash,
      ]);
      await client.query(`INSERT INTO care_teams (id, name) VALUES ($1, 'Demo diabetes team')`, [DEMO.careTeamId]);
      await client.query('INSERT INTO care_team_members (care_team_id, user_id) VALUES ($1, $2)', [DEMO.careTeamId, doctor.rows[0].id]);
      await client.query('INSERT INTO patients (id, display_name, programme, care_team_id) VALUES ($1, $2, $3, $4)', [
        DEMO.patient.id,
        DEMO.patient.name,
        DEMO.patient.programme,
        DEMO.careTeamId,
      ]);
      await client.query('INSERT INTO devices (id, patient_id, kind, credential_hash) VALUES ($1, $2, $3, $4)', [
        DEMO.device.id,
        DEMO.patient.id,
        DEMO.device.kind,
        hashSecret(DEMO.device.secret),
      ]);
    },
  );
}
