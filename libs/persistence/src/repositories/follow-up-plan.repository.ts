import {
  applyChange,
  clinicianSet,
  followUpStatus,
  initialPlan,
  pathwayTemplate,
  recordContact,
  continuedSilence,
  silenceAction,
  type DataState,
  type FollowUpStatus,
  type PathwayTemplate,
  type PlanState,
  type Proposal,
  type RiskTier,
  type Silence,
  type SilenceAction,
} from '@rpm/clinical';
import type { DataSource, EntityManager } from 'typeorm';

type Db = Pick<EntityManager, 'query'>;

/** A plan as the API shows it. */
export interface FollowUpPlanView {
  pathway: string;
  pathwayVersion: number;
  tier: string;
  intervalDays: number;
  nextDueAt: Date;
  enrolledAt: Date;
  anchorAt: Date;
  lastContactAt: Date | null;
  reviewDueAt: Date | null;
  lastReviewedAt: Date | null;
  status: FollowUpStatus;
  statusSince: Date | null;
  assignedTo: string | null;
  assessment: StoredAssessment | null;
}

/** The latest daily judgement, as stored on the plan. */
export interface StoredAssessment {
  state: DataState;
  reasons: string[];
  interventions: string[];
  referrals: { to: string; action: string }[];
  at: string;
}

export interface FollowUpChangeView {
  id: number;
  kind: string;
  fromIntervalDays: number;
  toIntervalDays: number;
  nextDueAt: Date;
  reason: string;
  status: string;
  decidedBy: string | null;
  decidedAt: Date | null;
  createdAt: Date;
}

export interface FollowUpEventView {
  at: Date;
  kind: string;
  fromStatus: string | null;
  toStatus: string | null;
  dueAt: Date | null;
  detail: Record<string, unknown>;
  actorId: string | null;
}

/** A plan of a programme's patient, for programme metrics, the worklist and the dashboard. */
export interface ProgrammePlanRow {
  patient_id: string;
  display_name: string;
  care_team_id: string;
  care_team_name: string;
  pathway: string;
  tier: string;
  interval_days: number;
  next_due_at: Date;
  enrolled_at: Date;
  status: FollowUpStatus;
  status_since: Date | null;
  assigned_to: string | null;
  assigned_name: string | null;
  last_visit: Date | null;
  escalated_at: Date | null;
}

/** Contact types that complete a due follow-up (a discharge or an admission is an event, not a contact). */
export const CONTACT_VISIT_TYPES = ['clinic', 'telephone', 'video', 'home', 'message'] as const;

export class FollowUpError extends Error {
  constructor(
    readonly code: 'no_plan' | 'no_change' | 'unknown_pathway' | 'already_enrolled',
    message: string,
  ) {
    super(message);
  }
}

interface PlanRow {
  patient_id: string;
  pathway: string;
  pathway_version: number;
  tier: RiskTier;
  interval_days: number;
  step: number;
  stable_reviews: number;
  next_due_at: Date;
  enrolled_at: Date;
  anchor_at: Date;
  last_contact_at: Date | null;
  review_due_at: Date | null;
  status: FollowUpStatus;
  assessment: StoredAssessment | null;
}

const PLAN_COLUMNS = `patient_id, pathway, pathway_version, tier, interval_days, step, stable_reviews, next_due_at, enrolled_at, anchor_at,
  last_contact_at, review_due_at, status, assessment`;
const date = (value: Date | string | null) => (value === null ? null : new Date(value));

function toState(row: PlanRow): PlanState {
  return {
    pathway: row.pathway,
    pathwayVersion: row.pathway_version,
    tier: row.tier,
    level: row.step,
    intervalDays: row.interval_days,
    stableContacts: row.stable_reviews,
    nextDueAt: new Date(row.next_due_at),
    anchorAt: new Date(row.anchor_at),
    lastContactAt: date(row.last_contact_at),
    reviewDueAt: date(row.review_due_at),
  };
}

function templateOf(row: { pathway: string; pathway_version: number }): PathwayTemplate {
  const template = pathwayTemplate(row.pathway, row.pathway_version);
  if (!template) throw new FollowUpError('unknown_pathway', `no pathway ${row.pathway} v${row.pathway_version}`);
  return template;
}

/**
 * Follow-up plans and the follow-up centre's records: proposals and their decisions, every state change
 * (follow_up_events), reminders, call attempts. Each change is taken under the plan's row lock, decided by the
 * pure policy (@rpm/clinical), and recorded with the event that explains it in the same transaction. Only a
 * contact, a confirmed proposal or a clinician moves a due date.
 */
export class FollowUpPlanRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Enrols the patient on a pathway (newest version unless given); false when they already have a plan. */
  async enrol(
    patientId: string,
    request: { pathway: string; version?: number; anchorAt?: Date; assignedTo?: string | null },
    now: Date,
    actorId: string | null = null,
  ): Promise<boolean> {
    const template = pathwayTemplate(request.pathway, request.version);
    if (!template) throw new FollowUpError('unknown_pathway', `no pathway ${request.pathway}${request.version ? ` v${request.version}` : ''}`);
    const plan = initialPlan(template, now, request.anchorAt ?? now);
    return this.dataSource.transaction(async (manager) => {
      const inserted: unknown[] = await manager.query(
        `INSERT INTO follow_up_plans (patient_id, pathway, pathway_version, tier, interval_days, step, next_due_at, enrolled_at, anchor_at, review_due_at, assigned_to, status_since)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $8) ON CONFLICT (patient_id) DO NOTHING RETURNING patient_id`,
        [
          patientId,
          template.id,
          template.version,
          plan.tier,
          plan.intervalDays,
          plan.level,
          plan.nextDueAt,
          now,
          plan.anchorAt,
          plan.reviewDueAt,
          request.assignedTo ?? null,
        ],
      );
      if (inserted.length === 0) return false;
      await this.event(manager, patientId, now, 'enrolled', { dueAt: plan.nextDueAt, detail: { pathway: template.id, version: template.version }, actorId });
      return true;
    });
  }

  async plan(patientId: string): Promise<FollowUpPlanView | null> {
    const [plan] = await this.dataSource.query(
      `SELECT pathway, pathway_version AS "pathwayVersion", tier, interval_days AS "intervalDays", next_due_at AS "nextDueAt", enrolled_at AS "enrolledAt",
              anchor_at AS "anchorAt", last_contact_at AS "lastContactAt", review_due_at AS "reviewDueAt", last_reviewed_at AS "lastReviewedAt",
              status, status_since AS "statusSince", assigned_to AS "assignedTo", assessment
         FROM follow_up_plans WHERE patient_id = $1`,
      [patientId],
    );
    return plan ?? null;
  }

  async hasPlan(patientId: string): Promise<boolean> {
    const plans: unknown[] = await this.dataSource.query('SELECT 1 FROM follow_up_plans WHERE patient_id = $1', [patientId]);
    return plans.length > 0;
  }

  /** The 50 most recent changes, newest first. */
  changes(patientId: string): Promise<FollowUpChangeView[]> {
    return this.dataSource.query(
      `SELECT id::int, kind, from_interval_days AS "fromIntervalDays", to_interval_days AS "toIntervalDays", next_due_at AS "nextDueAt",
              reason, status, decided_by AS "decidedBy", decided_at AS "decidedAt", created_at AS "createdAt"
         FROM follow_up_changes WHERE patient_id = $1 ORDER BY id DESC LIMIT 50`,
      [patientId],
    );
  }

  /** Every recorded state change of the plan, oldest first. */
  events(patientId: string): Promise<FollowUpEventView[]> {
    return this.dataSource.query(
      `SELECT at, kind, from_status AS "fromStatus", to_status AS "toStatus", due_at AS "dueAt", detail, actor_id AS "actorId"
         FROM follow_up_events WHERE patient_id = $1 ORDER BY at, id`,
      [patientId],
    );
  }

  /** Confirms a proposed change and applies it (the only way a proposal moves a due date). */
  async confirm(patientId: string, changeId: number, userId: string, now: Date = new Date()): Promise<void> {
    await this.withPlan(patientId, now, async (manager, row, plan) => {
      const [change] = (await manager.query(
        // As a CTE the statement is a SELECT, so TypeORM returns the rows rather than [rows, count].
        `WITH decided AS (UPDATE follow_up_changes SET status = 'confirmed', decided_by = $3, decided_at = $4
          WHERE id = $1 AND patient_id = $2 AND status = 'proposed'
          RETURNING kind, to_level, to_tier, to_interval_days, reason) SELECT * FROM decided`,
        [changeId, patientId, userId, now],
      )) as { kind: Proposal['kind']; to_level: number | null; to_tier: RiskTier | null; to_interval_days: number; reason: string }[];
      if (!change) throw new FollowUpError('no_change', 'no proposed change with that id');
      const proposal: Proposal = {
        kind: change.kind,
        toLevel: change.to_level ?? plan.level,
        toTier: change.to_tier ?? plan.tier,
        toIntervalDays: change.to_interval_days,
        reason: change.reason,
      };
      return {
        next: applyChange(plan, proposal, now),
        event: { kind: 'change_confirmed', detail: { changeId, change: change.kind, intervalDays: change.to_interval_days } },
      };
    });
  }

  /**
   * Overrides a change, proposed or already confirmed: the interval the clinician chose applies from today.
   */
  async override(patientId: string, changeId: number, userId: string, intervalDays: number, now: Date = new Date(), note?: string): Promise<void> {
    await this.withPlan(patientId, now, async (manager, _row, plan) => {
      const decided: unknown[] = await manager.query(
        `WITH decided AS (UPDATE follow_up_changes SET status = 'overridden', decided_by = $3, decided_at = $4
          WHERE id = $1 AND patient_id = $2 AND status IN ('proposed', 'confirmed') RETURNING id) SELECT id FROM decided`,
        [changeId, patientId, userId, now],
      );
      if (decided.length === 0) throw new FollowUpError('no_change', 'no proposed or confirmed change with that id');
      return {
        next: clinicianSet(plan, { intervalDays }, now),
        event: { kind: 'change_overridden', detail: { changeId, intervalDays, ...(note ? { note } : {}) } },
      };
    });
  }

  /**
   * A clinician's own setting at any time: another pathway (restarted from today, on the anchor given), an
   * interval, a due date, the responsible staff member.
   */
  async setByClinician(
    patientId: string,
    userId: string,
    change: { pathway?: string; version?: number; anchorAt?: Date; intervalDays?: number; nextDueAt?: Date; assignedTo?: string | null },
    now: Date = new Date(),
  ): Promise<void> {
    await this.withPlan(patientId, now, async (manager, row, plan) => {
      let next = plan;
      if (change.pathway || change.version || change.anchorAt) {
        const template = pathwayTemplate(change.pathway ?? row.pathway, change.version);
        if (!template) throw new FollowUpError('unknown_pathway', `no pathway ${change.pathway ?? row.pathway}`);
        next = { ...initialPlan(template, now, change.anchorAt ?? now), lastContactAt: plan.lastContactAt };
      }
      if (change.intervalDays !== undefined || change.nextDueAt !== undefined) next = clinicianSet(next, change, now);
      if (change.assignedTo !== undefined)
        await manager.query('UPDATE follow_up_plans SET assigned_to = $2 WHERE patient_id = $1', [patientId, change.assignedTo]);
      // Open proposals were made against the old plan.
      await manager.query(`UPDATE follow_up_changes SET status = 'superseded' WHERE patient_id = $1 AND status = 'proposed'`, [patientId]);
      return { next, event: { kind: 'clinician_set', detail: { ...change }, actorId: userId } };
    });
  }

  /**
   * A contact completes the due follow-up (in the transaction that records the visit). A contact older than
   * the last one recorded is history only. Returns false when the patient has no plan.
   */
  async recordContactIn(
    manager: Db,
    patientId: string,
    contact: { at: Date; comprehensive?: boolean; type: string },
    now: Date,
    actorId: string | null,
  ): Promise<boolean> {
    const [row] = (await manager.query(`SELECT ${PLAN_COLUMNS} FROM follow_up_plans WHERE patient_id = $1 FOR UPDATE`, [patientId])) as PlanRow[];
    if (!row) return false;
    const plan = toState(row);
    if (plan.lastContactAt && contact.at.getTime() < plan.lastContactAt.getTime()) {
      await this.event(manager, patientId, now, 'contact_history', {
        dueAt: plan.nextDueAt,
        detail: { at: contact.at.toISOString(), type: contact.type },
        actorId,
      });
      return true;
    }
    const next = recordContact(templateOf(row), plan, contact, row.assessment?.state ?? 'undetermined');
    await this.save(manager, row, next, now, {
      kind: 'contact',
      detail: { at: contact.at.toISOString(), type: contact.type, completedDueAt: plan.nextDueAt.toISOString() },
      actorId,
    });
    // A contact answers the "no readings" item: it is closed, but the silence stays on record (raised again only
    // when a whole window passes after the contact without readings).
    const closed = await this.closeNoReadings(manager, patientId, now, 'contact recorded', actorId);
    if (closed.length)
      await this.event(manager, patientId, now, 'no_data_closed', { dueAt: next.nextDueAt, detail: { by: 'contact', taskIds: closed }, actorId });
    // The contact answers the patient's request to reschedule the contact it completes (requests are taken only
    // for the plan's current due date): the worklist's "asked to reschedule" ends with it.
    const requests: { id: string; due_at: Date }[] = await manager.query(
      `WITH closed AS (UPDATE follow_up_tasks SET status = 'done', done_at = $2, outcome = 'contact recorded', done_by = $3
          WHERE patient_id = $1 AND kind = 'patient_asked_to_reschedule' AND status = 'open' RETURNING id, due_at) SELECT id, due_at FROM closed`,
      [patientId, now, actorId],
    );
    for (const task of requests)
      await this.event(manager, patientId, now, 'task_closed', { dueAt: task.due_at, detail: { taskId: task.id, status: 'done', by: 'contact' }, actorId });
    return true;
  }

  /**
   * Stores the day's judgement and its proposal (never moving a due date). The same proposal is not made
   * twice; an open proposal the data no longer support is superseded. Returns the proposal id when new.
   */
  async recordAssessment(
    patientId: string,
    now: Date,
    assessment: StoredAssessment,
    proposal: Proposal | null,
    decide?: (plan: PlanState) => Proposal | null,
  ): Promise<number | null> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(`SELECT ${PLAN_COLUMNS} FROM follow_up_plans WHERE patient_id = $1 FOR UPDATE SKIP LOCKED`, [patientId])) as PlanRow[];
      if (!row) return null;
      const plan = toState(row);
      const proposed = decide ? decide(plan) : proposal;
      await manager.query('UPDATE follow_up_plans SET assessment = $2, assessed_at = $3, last_reviewed_at = $3 WHERE patient_id = $1', [
        patientId,
        JSON.stringify(assessment),
        now,
      ]);
      const open = (await manager.query(
        `SELECT id::int, kind, to_interval_days FROM follow_up_changes WHERE patient_id = $1 AND status = 'proposed' ORDER BY id`,
        [patientId],
      )) as { id: number; kind: string; to_interval_days: number }[];
      const same = proposed && open.find((change) => change.kind === proposed.kind && change.to_interval_days === proposed.toIntervalDays);
      const stale = open.filter((change) => change !== same);
      if (stale.length) {
        await manager.query(`UPDATE follow_up_changes SET status = 'superseded', decided_at = $2 WHERE id = ANY($1)`, [stale.map((change) => change.id), now]);
      }
      if (!proposed || same) return null;
      const nextDueAt = applyChange(plan, proposed, now).nextDueAt;
      const [inserted] = (await manager.query(
        `INSERT INTO follow_up_changes (patient_id, kind, from_interval_days, to_interval_days, to_level, to_tier, next_due_at, reason, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id::int`,
        [patientId, proposed.kind, plan.intervalDays, proposed.toIntervalDays, proposed.toLevel, proposed.toTier, nextDueAt, proposed.reason, now],
      )) as { id: number }[];
      await this.event(manager, patientId, now, 'change_proposed', {
        dueAt: plan.nextDueAt,
        detail: { changeId: inserted.id, change: proposed.kind, intervalDays: proposed.toIntervalDays, reason: proposed.reason },
      });
      return inserted.id;
    });
  }

  /**
   * The day's no-data check (@rpm/clinical detectSilence), once per silence and again when it outlasts a contact by
   * a window (silenceAction): a silence opens a "no readings since" task on the nurse worklist and records
   * `no_data_raised`; readings back after one close its task (if still open) and record `no_data_resumed`.
   * Returns what was done.
   */
  async reviewSilence(patientId: string, now: Date, seen: Silence | null): Promise<SilenceAction> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query('SELECT next_due_at FROM follow_up_plans WHERE patient_id = $1 FOR UPDATE SKIP LOCKED', [patientId])) as {
        next_due_at: Date;
      }[];
      if (!row) return null;
      const [last] = (await manager.query(
        `SELECT kind, at, (SELECT detail->>'since' FROM follow_up_events raised WHERE raised.patient_id = $1 AND raised.kind = 'no_data_raised'
                            ORDER BY raised.at DESC, raised.id DESC LIMIT 1) AS raised_since
           FROM follow_up_events WHERE patient_id = $1 AND kind IN ('no_data_raised', 'no_data_closed', 'no_data_resumed') ORDER BY at DESC, id DESC LIMIT 1`,
        [patientId],
      )) as { kind: string; at: Date; raised_since: string | null }[];
      const onRecord = last !== undefined && last.kind !== 'no_data_resumed';
      const action = silenceAction(seen, { raisedAndNotResumed: onRecord, closedByContactAt: last?.kind === 'no_data_closed' ? new Date(last.at) : null }, now);
      const silence = seen && onRecord ? continuedSilence(seen, last.raised_since ? new Date(last.raised_since) : null) : seen;
      if (action === 'raise' && silence) {
        const [task] = (await manager.query(
          `INSERT INTO follow_up_tasks (patient_id, kind, discipline, due_at, reason, created_at) VALUES ($1, 'no_readings', 'nursing', $2, $3, $2) RETURNING id`,
          [patientId, now, silence.reason],
        )) as { id: string }[];
        await this.event(manager, patientId, now, 'no_data_raised', {
          dueAt: row.next_due_at,
          detail: {
            taskId: task.id,
            since: silence.since.toISOString(),
            reason: silence.reason,
            devices: silence.devices.map((device) => ({ ...device, lastReadingAt: device.lastReadingAt?.toISOString() ?? null })),
          },
        });
      } else if (action === 'resumed') {
        const closed = await this.closeNoReadings(manager, patientId, now, 'readings resumed', null);
        await this.event(manager, patientId, now, 'no_data_resumed', { dueAt: row.next_due_at, detail: { taskIds: closed } });
      }
      return action;
    });
  }

  /** Open "no readings" items of these patients: since when, and the sentence for the nurse. */
  async noReadings(patientIds: readonly string[]): Promise<Map<string, { since: Date; reason: string }>> {
    const rows: { patient_id: string; since: string; reason: string }[] = await this.dataSource.query(
      `SELECT DISTINCT ON (t.patient_id) t.patient_id, e.detail->>'since' AS since, t.reason
         FROM follow_up_tasks t JOIN follow_up_events e ON e.patient_id = t.patient_id AND e.kind = 'no_data_raised' AND e.detail->>'taskId' = t.id::text
        WHERE t.patient_id = ANY($1) AND t.kind = 'no_readings' AND t.status = 'open' ORDER BY t.patient_id, t.created_at DESC`,
      [patientIds],
    );
    return new Map(rows.map((row) => [row.patient_id, { since: new Date(row.since), reason: row.reason }]));
  }

  private async closeNoReadings(manager: Db, patientId: string, now: Date, outcome: string, actorId: string | null): Promise<string[]> {
    const closed: { id: string }[] = await manager.query(
      `WITH closed AS (UPDATE follow_up_tasks SET status = 'done', done_at = $2, outcome = $3, done_by = $4
          WHERE patient_id = $1 AND kind = 'no_readings' AND status = 'open' RETURNING id) SELECT id FROM closed`,
      [patientId, now, outcome, actorId],
    );
    return closed.map((task) => task.id);
  }

  /** Alerts opened in (since, until], live and retrospective alike: a backfilled level 2 hypo happened too. */
  async alertLoad(patientId: string, since: Date, until: Date): Promise<{ urgent: number; warning: number }> {
    const [counts] = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE severity = 'urgent')::int AS urgent, count(*) FILTER (WHERE severity = 'warning')::int AS warning
         FROM alerts WHERE patient_id = $1 AND opened_at > $2 AND opened_at <= $3`,
      [patientId, since, until],
    );
    return counts;
  }

  /** The patient's devices in use, with their kind (the cadence adherence is judged against). */
  activeDevices(patientId: string): Promise<{ id: string; kind: string; created_at: Date }[]> {
    return this.dataSource.query('SELECT id, kind, created_at FROM devices WHERE patient_id = $1 AND revoked_at IS NULL', [patientId]);
  }

  /** Every plan's patient, for the daily assessment and the status sweep. */
  async allPatients(): Promise<string[]> {
    const rows: { patient_id: string }[] = await this.dataSource.query('SELECT patient_id FROM follow_up_plans ORDER BY patient_id');
    return rows.map((row) => row.patient_id);
  }

  /** Patients whose last assessment is older than `olderThan` (or who were never assessed). */
  async dueForAssessment(olderThan: Date): Promise<string[]> {
    const rows: { patient_id: string }[] = await this.dataSource.query(
      'SELECT patient_id FROM follow_up_plans WHERE assessed_at IS NULL OR assessed_at <= $1 ORDER BY patient_id',
      [olderThan],
    );
    return rows.map((row) => row.patient_id);
  }

  /** Moves the stored status to what the dates say at `now` (overdue, missed, lost), recording each change. */
  async refreshStatus(patientId: string, now: Date): Promise<FollowUpStatus | null> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(`SELECT ${PLAN_COLUMNS} FROM follow_up_plans WHERE patient_id = $1 FOR UPDATE SKIP LOCKED`, [patientId])) as PlanRow[];
      if (!row) return null;
      return this.storeStatus(manager, row, toState(row), now);
    });
  }

  /** Plans of these patients with their last contact, for programme metrics, the worklist and the dashboard. */
  ofPatients(patientIds: readonly string[]): Promise<ProgrammePlanRow[]> {
    return this.dataSource.query(
      `SELECT f.patient_id, p.display_name, p.care_team_id, t.name AS care_team_name, f.pathway, f.tier, f.interval_days, f.next_due_at, f.enrolled_at,
              f.status, f.status_since, f.assigned_to, u.display_name AS assigned_name, f.last_contact_at AS last_visit, f.escalated_at
         FROM follow_up_plans f JOIN patients p ON p.id = f.patient_id JOIN care_teams t ON t.id = p.care_team_id
         LEFT JOIN users u ON u.id = f.assigned_to
        WHERE f.patient_id = ANY($1)`,
      [patientIds],
    );
  }

  /** Plans due within 7 days of `now` (and not yet past their day), with the reminders already sent for that due date. */
  upcomingContacts(now: Date): Promise<{ patient_id: string; next_due_at: Date; assigned_to: string | null; sent: string[] }[]> {
    return this.dataSource.query(
      `SELECT p.patient_id, p.next_due_at, p.assigned_to, coalesce(array_agg(r.kind) FILTER (WHERE r.kind IS NOT NULL), '{}') AS sent
         FROM follow_up_plans p LEFT JOIN follow_up_reminders r ON r.patient_id = p.patient_id AND r.due_at = p.next_due_at
        WHERE p.next_due_at <= $1::timestamptz + interval '8 days' AND p.next_due_at >= $1::timestamptz - interval '1 day'
        GROUP BY p.patient_id, p.next_due_at, p.assigned_to`,
      [now],
    );
  }

  /** Records a reminder to send; false when another instance already did (its primary key won). */
  async recordReminder(patientId: string, dueAt: Date, kind: string, recipientId: string | null, at: Date): Promise<boolean> {
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO follow_up_reminders (patient_id, due_at, kind, sent_at, recipient_id, delivery_status) VALUES ($1, $2, $3, $4, $5, 'pending')
       ON CONFLICT DO NOTHING RETURNING kind`,
      [patientId, dueAt, kind, at, recipientId],
    );
    return inserted.length > 0;
  }

  /** Reminders recorded and not yet delivered (a failed send is retried up to 8 times). */
  pendingReminders(): Promise<{ patient_id: string; due_at: Date; kind: string; recipient_id: string | null; attempts: number }[]> {
    return this.dataSource.query(
      `SELECT patient_id, due_at, kind, recipient_id, attempts FROM follow_up_reminders WHERE delivery_status = 'pending' ORDER BY sent_at LIMIT 200`,
    );
  }

  async reminderDelivered(patientId: string, dueAt: Date, kind: string, error?: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE follow_up_reminders SET attempts = attempts + 1, last_error = $4,
              delivery_status = CASE WHEN $4::text IS NULL THEN 'sent' WHEN attempts + 1 >= 8 THEN 'failed' ELSE 'pending' END
        WHERE patient_id = $1 AND due_at = $2 AND kind = $3`,
      [patientId, dueAt, kind, error ?? null],
    );
  }

  /** Who a reminder goes to: the responsible staff member, else the care team's nurses, else its doctors. */
  async reminderRecipients(patientId: string, assignedTo: string | null): Promise<{ id: string; email: string; phone: string | null; displayName: string }[]> {
    if (assignedTo) {
      return this.dataSource.query(`SELECT id, email, phone, display_name AS "displayName" FROM users WHERE id = $1 AND disabled_at IS NULL`, [assignedTo]);
    }
    const team: { id: string; email: string; phone: string | null; displayName: string; role: string }[] = await this.dataSource.query(
      `SELECT u.id, u.email, u.phone, u.display_name AS "displayName", u.role FROM patients p JOIN care_team_members m ON m.care_team_id = p.care_team_id
         JOIN users u ON u.id = m.user_id WHERE p.id = $1 AND u.disabled_at IS NULL AND u.role IN ('nurse', 'doctor') ORDER BY u.email`,
      [patientId],
    );
    const nurses = team.filter((user) => user.role === 'nurse');
    return (nurses.length ? nurses : team).map(({ role: _role, ...user }) => user);
  }

  /** Records a call attempt against the contact due; an escalation marks the plan for the doctor. */
  async recordCallAttempt(patientId: string, userId: string, outcome: string, now: Date, note?: string): Promise<{ attempts: number }> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(`SELECT next_due_at FROM follow_up_plans WHERE patient_id = $1 FOR UPDATE`, [patientId])) as { next_due_at: Date }[];
      if (!row) throw new FollowUpError('no_plan', 'the patient has no follow-up plan');
      await manager.query(`INSERT INTO follow_up_call_attempts (patient_id, due_at, at, outcome, note, by_user) VALUES ($1, $2, $3, $4, $5, $6)`, [
        patientId,
        row.next_due_at,
        now,
        outcome,
        note ?? null,
        userId,
      ]);
      await this.event(manager, patientId, now, 'call_attempt', { dueAt: row.next_due_at, detail: { outcome }, actorId: userId });
      const [{ attempts }] = await manager.query(`SELECT count(*)::int AS attempts FROM follow_up_call_attempts WHERE patient_id = $1 AND due_at = $2`, [
        patientId,
        row.next_due_at,
      ]);
      return { attempts };
    });
  }

  async escalate(patientId: string, userId: string, now: Date, reason: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const updated: { next_due_at: Date }[] = await manager.query(
        'WITH escalated AS (UPDATE follow_up_plans SET escalated_at = $2 WHERE patient_id = $1 RETURNING next_due_at) SELECT next_due_at FROM escalated',
        [patientId, now],
      );
      if (updated.length === 0) throw new FollowUpError('no_plan', 'the patient has no follow-up plan');
      await this.event(manager, patientId, now, 'escalated', { dueAt: updated[0].next_due_at, detail: { reason }, actorId: userId });
    });
  }

  /** Call attempts per patient against their current due date. */
  async attemptsForCurrentDue(patientIds: readonly string[]): Promise<Map<string, { attempts: number; lastOutcome: string | null; lastAt: Date | null }>> {
    const rows: { patient_id: string; attempts: number; last_outcome: string | null; last_at: Date | null }[] = await this.dataSource.query(
      `SELECT f.patient_id, count(a.id)::int AS attempts, (array_agg(a.outcome ORDER BY a.at DESC))[1] AS last_outcome, max(a.at) AS last_at
         FROM follow_up_plans f JOIN follow_up_call_attempts a ON a.patient_id = f.patient_id AND a.due_at = f.next_due_at
        WHERE f.patient_id = ANY($1) GROUP BY f.patient_id`,
      [patientIds],
    );
    return new Map(rows.map((row) => [row.patient_id, { attempts: row.attempts, lastOutcome: row.last_outcome, lastAt: row.last_at }]));
  }

  /** Events of these patients since `since`, for the dashboard's trends. */
  eventsSince(
    patientIds: readonly string[],
    since: Date,
  ): Promise<{ patient_id: string; at: Date; kind: string; to_status: string | null; detail: Record<string, unknown> }[]> {
    return this.dataSource.query(
      `SELECT patient_id, at, kind, to_status, detail FROM follow_up_events WHERE patient_id = ANY($1) AND at >= $2 ORDER BY at, id`,
      [patientIds, since],
    );
  }

  private async withPlan(
    patientId: string,
    now: Date,
    decide: (
      manager: EntityManager,
      row: PlanRow,
      plan: PlanState,
    ) => Promise<{ next: PlanState; event: { kind: string; detail: Record<string, unknown>; actorId?: string } }>,
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(`SELECT ${PLAN_COLUMNS} FROM follow_up_plans WHERE patient_id = $1 FOR UPDATE`, [patientId])) as PlanRow[];
      if (!row) throw new FollowUpError('no_plan', 'the patient has no follow-up plan');
      const { next, event } = await decide(manager, row, toState(row));
      await this.save(manager, row, next, now, event);
    });
  }

  /** Writes the plan's next state, the event that explains it, and the status the new dates give. */
  private async save(
    manager: Db,
    row: PlanRow,
    next: PlanState,
    now: Date,
    event: { kind: string; detail: Record<string, unknown>; actorId?: string | null },
  ): Promise<void> {
    await manager.query(
      `UPDATE follow_up_plans SET pathway = $2, pathway_version = $3, tier = $4, interval_days = $5, step = $6, stable_reviews = $7, next_due_at = $8,
              anchor_at = $9, last_contact_at = $10, review_due_at = $11, updated_at = $12, escalated_at = CASE WHEN $13 THEN NULL ELSE escalated_at END
        WHERE patient_id = $1`,
      [
        row.patient_id,
        next.pathway,
        next.pathwayVersion,
        next.tier,
        next.intervalDays,
        next.level,
        next.stableContacts,
        next.nextDueAt,
        next.anchorAt,
        next.lastContactAt,
        next.reviewDueAt,
        now,
        event.kind === 'contact',
      ],
    );
    await this.event(manager, row.patient_id, now, event.kind, { dueAt: next.nextDueAt, detail: event.detail, actorId: event.actorId ?? null });
    await this.storeStatus(manager, row, next, now);
  }

  private async storeStatus(manager: Db, row: PlanRow, plan: PlanState, now: Date): Promise<FollowUpStatus> {
    const status = followUpStatus({ nextDueAt: plan.nextDueAt, lastContactAt: plan.lastContactAt, enrolledAt: new Date(row.enrolled_at) }, now);
    if (status !== row.status) {
      await manager.query('UPDATE follow_up_plans SET status = $2, status_since = $3 WHERE patient_id = $1', [row.patient_id, status, now]);
      await manager.query(`INSERT INTO follow_up_events (patient_id, at, kind, from_status, to_status, due_at) VALUES ($1, $2, 'status', $3, $4, $5)`, [
        row.patient_id,
        now,
        row.status,
        status,
        plan.nextDueAt,
      ]);
    }
    return status;
  }

  private async event(
    manager: Db,
    patientId: string,
    at: Date,
    kind: string,
    extra: { dueAt?: Date; detail?: Record<string, unknown>; actorId?: string | null },
  ): Promise<void> {
    await manager.query(`INSERT INTO follow_up_events (patient_id, at, kind, due_at, detail, actor_id) VALUES ($1, $2, $3, $4, $5, $6)`, [
      patientId,
      at,
      kind,
      extra.dueAt ?? null,
      JSON.stringify(extra.detail ?? {}),
      extra.actorId ?? null,
    ]);
  }
}
