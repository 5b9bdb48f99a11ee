import { hashPassword } from '@rpm/security';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { ApiClient } from '../support/api-client';
import { createClinic, type ClinicFixture } from '../support/fixtures';
import { PlatformProcess } from '../support/platform-process';
import { createTestDatabase } from '../support/test-services';

interface Task {
  id: string;
  kind: string;
  discipline: string;
  assignedTo: string | null;
  status: string;
  doneBy: string | null;
  outcome: string | null;
}
interface Worklist {
  items: unknown[];
  tasks: (Task & { displayName: string; patientId: string })[];
}

describe("the multidisciplinary team's follow-up tasks: dietitian and psychologist, scoped, audited, on the assignee's worklist", () => {
  let platform: PlatformProcess;
  let databaseUrl: string;
  let clinic: ClinicFixture;
  let outsider: ClinicFixture;
  let doctor: ApiClient;
  let stranger: ApiClient;
  let dietitian: ApiClient;
  let psychologist: ApiClient;
  const staff: Record<'dietitian' | 'psychologist', string> = { dietitian: '', psychologist: '' };

  async function addStaff(role: 'dietitian' | 'psychologist'): Promise<ApiClient> {
    const email = `${role}.${randomUUID().slice(0, 8)}@example.org`;
    const password = `pw-${randomUUID()}`;
    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    try {
      const [{ id }] = (
        await sql.query(`INSERT INTO users (email, display_name, role, password_hash) VALUES ($1, $2, $3, $4) RETURNING id`, [
          email,
          `A ${role}`,
          role,
          await hashPassword(password),
        ])
      ).rows;
      await sql.query('INSERT INTO care_team_members VALUES ($1, $2)', [clinic.careTeamId, id]);
      staff[role] = id;
    } finally {
      await sql.end();
    }
    return ApiClient.login(platform.httpUrl, email, password);
  }

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    platform = await PlatformProcess.start({ DATABASE_URL: databaseUrl, DEMO_SEED: 'false' });
    clinic = await createClinic(databaseUrl, 'mdt');
    outsider = await createClinic(databaseUrl, 'mdt-outsider');
    doctor = await ApiClient.login(platform.httpUrl, clinic.doctor.email, clinic.doctor.password);
    stranger = await ApiClient.login(platform.httpUrl, outsider.doctor.email, outsider.doctor.password);
    dietitian = await addStaff('dietitian');
    psychologist = await addStaff('psychologist');
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('creates tasks for the right discipline, lists them, shows each on its assignee worklist and closes them once', async () => {
    const tasks = `/patients/${clinic.patientId}/follow-up/tasks`;
    const today = new Date(Date.now() - 60_000).toISOString();
    const nutrition = await doctor.post<Task>(tasks, {
      kind: 'nutrition_review',
      dueAt: today,
      assignedTo: staff.dietitian,
      reason: 'HbA1c rising, diet review',
    });
    expect(nutrition.status).toBe(201);
    expect(nutrition.body).toEqual(expect.objectContaining({ discipline: 'dietitian', assignedTo: staff.dietitian, status: 'open' }));
    const phq9 = await doctor.post<Task>(tasks, { kind: 'phq9_follow_up', dueAt: today, assignedTo: staff.psychologist, reason: 'PHQ-9 of 12 last month' });
    expect(phq9.status).toBe(201);
    // A PHQ-9 follow-up is not a dietitian's task, an unknown kind is refused, and a stranger cannot add one.
    expect((await doctor.post(tasks, { kind: 'phq9_follow_up', dueAt: today, assignedTo: staff.dietitian, reason: 'x' })).status).toBe(422);
    expect((await doctor.post(tasks, { kind: 'massage', dueAt: today, reason: 'x' })).status).toBe(400);
    expect((await stranger.post(tasks, { kind: 'wellbeing_call', dueAt: today, reason: 'x' })).status).toBe(404);
    expect((await stranger.get(tasks)).status).toBe(404);

    expect((await doctor.get<{ items: Task[] }>(tasks)).body.items.map((task) => task.kind).sort()).toEqual(['nutrition_review', 'phq9_follow_up']);
    const dietitianList = await dietitian.get<Worklist>('/follow-up/worklist');
    expect(dietitianList.body.tasks.map((task) => [task.kind, task.patientId])).toEqual([['nutrition_review', clinic.patientId]]);
    expect((await psychologist.get<Worklist>('/follow-up/worklist')).body.tasks.map((task) => task.kind)).toEqual(['phq9_follow_up']);
    expect((await doctor.get<Worklist>('/follow-up/worklist')).body.tasks).toEqual([]);

    const done = await dietitian.post<Task>(`${tasks}/${nutrition.body.id}/complete`, { outcome: 'Carbohydrate counting reviewed' });
    expect(done.status).toBe(200);
    expect(done.body).toEqual(expect.objectContaining({ status: 'done', doneBy: staff.dietitian, outcome: 'Carbohydrate counting reviewed' }));
    expect((await dietitian.post(`${tasks}/${nutrition.body.id}/complete`, { outcome: 'again' })).status).toBe(409);
    expect((await stranger.post(`${tasks}/${phq9.body.id}/complete`, { outcome: 'x' })).status).toBe(404);
    expect((await dietitian.get<Worklist>('/follow-up/worklist')).body.tasks).toEqual([]);

    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    try {
      const audited = await sql.query(`SELECT action, outcome FROM audit_log WHERE patient_id = $1 AND action LIKE 'follow_up.tasks.%' ORDER BY id`, [
        clinic.patientId,
      ]);
      expect(audited.rows).toEqual(
        expect.arrayContaining([
          { action: 'follow_up.tasks.create', outcome: 'allowed' },
          { action: 'follow_up.tasks.create', outcome: 'denied' },
          { action: 'follow_up.tasks.list', outcome: 'allowed' },
          { action: 'follow_up.tasks.complete', outcome: 'allowed' },
        ]),
      );
      const events = await sql.query(`SELECT kind, actor_id FROM follow_up_events WHERE patient_id = $1 AND kind LIKE 'task_%' ORDER BY id`, [
        clinic.patientId,
      ]);
      expect(events.rows.map((event) => event.kind)).toEqual(['task_created', 'task_created', 'task_closed']);
    } finally {
      await sql.end();
    }
  });
});
