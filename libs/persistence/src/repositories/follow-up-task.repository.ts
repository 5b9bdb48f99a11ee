import type { DataSource } from 'typeorm';

/** A multidisciplinary follow-up task as the API shows it. */
export interface FollowUpTaskRow {
  id: string;
  patientId: string;
  kind: string;
  discipline: string;
  dueAt: Date;
  assignedTo: string | null;
  assignedName: string | null;
  status: 'open' | 'done' | 'cancelled';
  reason: string;
  createdBy: string | null;
  createdAt: Date;
  doneBy: string | null;
  doneAt: Date | null;
  outcome: string | null;
}

export class FollowUpTaskError extends Error {
  constructor(
    readonly code: 'no_task' | 'already_closed' | 'assignee_not_eligible',
    message: string,
  ) {
    super(message);
  }
}

const COLUMNS = `t.id, t.patient_id AS "patientId", t.kind, t.discipline, t.due_at AS "dueAt", t.assigned_to AS "assignedTo", u.display_name AS "assignedName",
  t.status, t.reason, t.created_by AS "createdBy", t.created_at AS "createdAt", t.done_by AS "doneBy", t.done_at AS "doneAt", t.outcome`;

/**
 * Tasks of the care team's dietitians and psychologists beside the contacts (nutrition review, PHQ-9
 * follow-up ...). Each creation and completion is also a follow-up event of the patient, with its actor.
 */
export class FollowUpTaskRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Creates an open task; the assignee must be an enabled member of the patient's care team with the discipline as role. */
  async create(
    patientId: string,
    task: { kind: string; discipline: string; dueAt: Date; assignedTo: string | null; reason: string },
    actorId: string,
    now: Date,
  ): Promise<FollowUpTaskRow> {
    return this.dataSource.transaction(async (manager) => {
      if (task.assignedTo) {
        const eligible: unknown[] = await manager.query(
          `SELECT 1 FROM patients p JOIN care_team_members m ON m.care_team_id = p.care_team_id JOIN users u ON u.id = m.user_id
            WHERE p.id = $1 AND u.id = $2 AND u.role = $3 AND u.disabled_at IS NULL`,
          [patientId, task.assignedTo, task.discipline],
        );
        if (eligible.length === 0) throw new FollowUpTaskError('assignee_not_eligible', `the assignee is not a ${task.discipline} of the patient's care team`);
      }
      const [{ id }] = await manager.query(
        `INSERT INTO follow_up_tasks (patient_id, kind, discipline, due_at, assigned_to, reason, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [patientId, task.kind, task.discipline, task.dueAt, task.assignedTo, task.reason, now, actorId],
      );
      await manager.query(`INSERT INTO follow_up_events (patient_id, at, kind, due_at, detail, actor_id) VALUES ($1, $2, 'task_created', $3, $4, $5)`, [
        patientId,
        now,
        task.dueAt,
        { taskId: id, kind: task.kind, discipline: task.discipline, assignedTo: task.assignedTo },
        actorId,
      ]);
      const [created] = await manager.query(`SELECT ${COLUMNS} FROM follow_up_tasks t LEFT JOIN users u ON u.id = t.assigned_to WHERE t.id = $1`, [id]);
      return created as FollowUpTaskRow;
    });
  }

  /** The patient's tasks, open ones first by due date, then the closed ones, latest first. */
  list(patientId: string): Promise<FollowUpTaskRow[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM follow_up_tasks t LEFT JOIN users u ON u.id = t.assigned_to WHERE t.patient_id = $1
        ORDER BY (t.status = 'open') DESC, CASE WHEN t.status = 'open' THEN t.due_at END, t.done_at DESC NULLS LAST, t.created_at DESC`,
      [patientId],
    );
  }

  /** Closes an open task (done or cancelled) with its outcome; the patient id scopes the task. */
  async complete(patientId: string, taskId: string, status: 'done' | 'cancelled', outcome: string, actorId: string, now: Date): Promise<FollowUpTaskRow> {
    return this.dataSource.transaction(async (manager) => {
      const [task] = (await manager.query('SELECT status, due_at FROM follow_up_tasks WHERE id = $1 AND patient_id = $2 FOR UPDATE', [taskId, patientId])) as {
        status: string;
        due_at: Date;
      }[];
      if (!task) throw new FollowUpTaskError('no_task', 'the patient has no such task');
      if (task.status !== 'open') throw new FollowUpTaskError('already_closed', `the task is already ${task.status}`);
      await manager.query('UPDATE follow_up_tasks SET status = $2, outcome = $3, done_by = $4, done_at = $5 WHERE id = $1', [
        taskId,
        status,
        outcome,
        actorId,
        now,
      ]);
      await manager.query(`INSERT INTO follow_up_events (patient_id, at, kind, due_at, detail, actor_id) VALUES ($1, $2, 'task_closed', $3, $4, $5)`, [
        patientId,
        now,
        task.due_at,
        { taskId, status },
        actorId,
      ]);
      const [closed] = await manager.query(`SELECT ${COLUMNS} FROM follow_up_tasks t LEFT JOIN users u ON u.id = t.assigned_to WHERE t.id = $1`, [taskId]);
      return closed as FollowUpTaskRow;
    });
  }

  /** Open tasks assigned to this staff member among these patients, due before `before`, most overdue first. */
  openFor(assigneeId: string, patientIds: readonly string[], before: Date): Promise<(FollowUpTaskRow & { displayName: string })[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS}, p.display_name AS "displayName" FROM follow_up_tasks t JOIN patients p ON p.id = t.patient_id LEFT JOIN users u ON u.id = t.assigned_to
        WHERE t.assigned_to = $1 AND t.status = 'open' AND t.patient_id = ANY($2) AND t.due_at < $3 ORDER BY t.due_at`,
      [assigneeId, patientIds, before],
    );
  }
}
