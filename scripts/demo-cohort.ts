import { initialPlan, pathwayTemplate } from '@rpm/clinical';
import { hashSecret } from '@rpm/security';
import { Client } from 'pg';
import type { ProvisionedDevice } from '../device-simulators/src/cohort/simulated-patient';
import { DEMO } from './demo-seed';
import { seedOnce } from './seed-transaction';

/**
 * A small demo cohort in the demo care team, so the doctor sees varied, clinically plausible patients at
 * once: the simulator backfills 14 days of their devices' readings and then publishes live. Like the demo
 * device, these credentials are for a local machine only; the database stores only their hashes.
 */
export const DEMO_COHORT = [
  {
    id: '00000000-0000-4000-8000-000000000011',
    name: 'Margaret Ellis',
    programme: 'diabetes',
    // Type 2 on a CGM, well controlled: time in range well above 70%.
    devices: [{ deviceId: 'demo-cgm-ellis', kind: 'cgm', secret: 'demo-cohort-cgm-ellis', profile: 'diabetes-cgm' }],
  },
  {
    id: '00000000-0000-4000-8000-000000000012',
    name: 'Daniel Okafor',
    programme: 'diabetes',
    // Type 1 on a CGM, unstable: nocturnal and afternoon hypos, highs after missed boluses, and a level 2 hypo
    // within the last hours; a home cuff too (normal pressure), so one record shows CGM, alerts and BP together.
    devices: [
      { deviceId: 'demo-cgm-okafor', kind: 'cgm', secret: 'demo-cohort-cgm-okafor', profile: 'diabetes-unstable', scenarios: ['hypo'] },
      { deviceId: 'demo-cuff-okafor', kind: 'blood_pressure_cuff', secret: 'demo-cohort-cuff-okafor', profile: 'diabetes-unstable' },
    ],
  },
  {
    id: '00000000-0000-4000-8000-000000000013',
    name: 'Priya Raman',
    programme: 'diabetes',
    // Finger-sticks 1-4 times a day with meal context; a high above 250 mg/dL checked twice today.
    devices: [{ deviceId: 'demo-meter-raman', kind: 'glucose_meter', secret: 'demo-cohort-meter-raman', profile: 'diabetes-meter', scenarios: ['hyper'] }],
  },
  {
    id: '00000000-0000-4000-8000-000000000014',
    name: 'Thomas Becker',
    programme: 'hypertension',
    // Uncontrolled home BP (mean above 135/85) and a hypertensive crisis today.
    devices: [
      { deviceId: 'demo-cuff-becker', kind: 'blood_pressure_cuff', secret: 'demo-cohort-cuff-becker', profile: 'hypertension', scenarios: ['bp-crisis'] },
    ],
  },
  {
    id: '00000000-0000-4000-8000-000000000015',
    name: 'Aisha Mensah',
    programme: 'hypertension',
    devices: [{ deviceId: 'demo-cuff-mensah', kind: 'blood_pressure_cuff', secret: 'demo-cohort-cuff-mensah', profile: 'hypertension' }],
  },
  {
    id: '00000000-0000-4000-8000-000000000016',
    name: 'Robert Lindqvist',
    programme: 'post_surgery',
    // Recovering from surgery: a wearable (heart rate, SpO2, steps rising day by day) and a cuff.
    devices: [
      { deviceId: 'demo-watch-lindqvist', kind: 'wearable', secret: 'demo-cohort-watch-lindqvist', profile: 'post-surgery' },
      { deviceId: 'demo-cuff-lindqvist', kind: 'blood_pressure_cuff', secret: 'demo-cohort-cuff-lindqvist', profile: 'post-surgery' },
    ],
  },
] as const satisfies readonly { id: string; name: string; programme: string; devices: readonly Omit<ProvisionedDevice, 'patientId'>[] }[];

/** The cohort's device credentials, as the simulator plays them. */
export const demoCohortDevices = (): ProvisionedDevice[] =>
  DEMO_COHORT.flatMap((patient) =>
    patient.devices.map((device) => ({ ...device, patientId: patient.id, scenarios: 'scenarios' in device ? [...device.scenarios] : undefined })),
  );

/** Adds the cohort to the demo care team once; false when it is there already. */
export async function seedDemoCohort(databaseUrl: string): Promise<boolean> {
  return seedOnce(
    databaseUrl,
    async (client) => Boolean((await client.query('SELECT 1 FROM patients WHERE id = $1', [DEMO_COHORT[0].id])).rowCount),
    async (client) => {
      const doctor = await client.query('SELECT id FROM users WHERE email = $1', [DEMO.doctor.email]);
      // Enrolled two weeks ago, when their history starts: an enrolment visit and a follow-up plan each, so
      // the doctor's page shows visits and plans beside the readings.
      const enrolledAt = new Date(Date.now() - 14 * 86_400_000);
      for (const patient of DEMO_COHORT) {
        const plan = initialPlan(pathwayTemplate(patient.programme)!, enrolledAt);
        await client.query('INSERT INTO patients (id, display_name, programme, care_team_id) VALUES ($1, $2, $3, $4)', [
          patient.id,
          patient.name,
          patient.programme,
          DEMO.careTeamId,
        ]);
        for (const device of patient.devices) {
          await client.query('INSERT INTO devices (id, patient_id, kind, credential_hash) VALUES ($1, $2, $3, $4)', [
            device.deviceId,
            patient.id,
            device.kind,
            hashSecret(device.secret),
          ]);
        }
        await client.query(
          `INSERT INTO visits (patient_id, occurred_at, type, clinician_id, notes, outcome) VALUES ($1, $2, $3, $4, $5, 'Enrolled in remote monitoring')`,
          [
            patient.id,
            enrolledAt,
            patient.programme === 'post_surgery' ? 'hospital_discharge' : 'clinic',
            doctor.rows[0]?.id ?? null,
            `Devices issued: ${patient.devices.map((device) => device.kind.replace('_', ' ')).join(', ')}.`,
          ],
        );
        await client.query(
          `INSERT INTO follow_up_plans (patient_id, pathway, pathway_version, tier, interval_days, step, next_due_at, enrolled_at, anchor_at, review_due_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          [
            patient.id,
            plan.pathway,
            plan.pathwayVersion,
            plan.tier,
            plan.intervalDays,
            plan.level,
            plan.nextDueAt,
            enrolledAt,
            plan.anchorAt,
            plan.reviewDueAt,
          ],
        );
      }
    },
  );
}

/** Whether the cohort is in the database (seeded on an earlier first start). */
export async function demoCohortPresent(databaseUrl: string): Promise<boolean> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return Boolean((await client.query('SELECT 1 FROM devices WHERE id = $1 AND revoked_at IS NULL', [DEMO_COHORT[0].devices[0].deviceId])).rowCount);
  } finally {
    await client.end();
  }
}
