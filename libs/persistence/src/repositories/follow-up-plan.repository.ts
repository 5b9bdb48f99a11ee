import type { DataSource, EntityManager } from 'typeorm';

/** A plan as the follow-up job reviews it. */
export interface FollowUpPlanRow {
  patientId: string;
  pathway: string;
  tier: string;
  intervalDays: number;
  step: number;
  stableReviews: number;
  nextDueAt: Date;
}

/** A plan as the API shows it. */
export interface FollowUpPlanView {
  pathway: string;
  tier: string;
  intervalDays: number;
  nextDueAt: Date;
  enrolledAt: Date;
  lastReviewedAt: Date | null;
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

/** What a review decided: the plan's next state and, unless it holds, the change to propose. */
export interface PlanReview {
  next: { tier: string; intervalDays: number; step: number; stableReviews: number; nextDueAt: Date };
  change: { kind: string; reason: string } | null;
}

/** A plan of a programme's patient with the last visit, for programme metrics. */
export interface ProgrammePlanRow {
  patient_id: string;
  display_name: string;
  tier: string;
  next_due_at: Date;
  enrolled_at: Date;
  last_visit: Date | null;
}

/** Follow-up plans, the changes proposed to them, and the reminders sent before each contact. */
export class FollowUpPlanRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Enrols the patient; false when they already have a plan. */
  async enrol(patientId: string, plan: { pathway: string; tier: string; intervalDays: number; nextDueAt: Date }, enrolledAt: Date): Promise<boolean> {
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO follow_up_plans (patient_id, pathway, tier, interval_days, step, next_due_at, enrolled_at)
       VALUES ($1, $2, $3, $4, 0, $5, $6) ON CONFLICT (patient_id) DO NOTHING RETURNING patient_id`,
      [patientId, plan.pathway, plan.tier, plan.intervalDays, plan.nextDueAt, enrolledAt],
    );
    return inserted.length > 0;
  }

  async plan(patientId: string): Promise<FollowUpPlanView | null> {
    const [plan] = await this.dataSource.query(
      `SELECT pathway, tier, interval_days AS "intervalDays", next_due_at AS "nextDueAt", enrolled_at AS "enrolledAt", last_reviewed_at AS "lastReviewedAt"
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

  /** Confirms a proposed change; false when the patient has no proposed change with that id. */
  confirm(patientId: string, changeId: number, userId: string): Promise<boolean> {
    return this.decide(this.dataSource.manager, patientId, changeId, 'confirmed', userId);
  }

  /** Overrides a proposed change: the interval the clinician chose applies from today. False when there is no such proposed change. */
  override(patientId: string, changeId: number, userId: string, intervalDays: number): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      if (!(await this.decide(manager, patientId, changeId, 'overridden', userId))) return false;
      await manager.query(
        `UPDATE follow_up_plans SET interval_days = $2, next_due_at = now() + make_interval(days => $2), stable_reviews = 0, updated_at = now()
          WHERE patient_id = $1`,
        [patientId, intervalDays],
      );
      return true;
    });
  }

  private async decide(manager: EntityManager, patientId: string, id: number, status: 'confirmed' | 'overridden', userId: string): Promise<boolean> {
    const updated: unknown[] = await manager.query(
      `WITH decided AS (
         UPDATE follow_up_changes SET status = $3, decided_by = $4, decided_at = now()
          WHERE id = $1 AND patient_id = $2 AND status = 'proposed' RETURNING id)
       SELECT id FROM decided`,
      [id, patientId, status, userId],
    );
    return updated.length > 0;
  }

  /** Plans of these patients with their last visit, for programme metrics. */
  ofPatients(patientIds: readonly string[]): Promise<ProgrammePlanRow[]> {
    return this.dataSource.query(
      `SELECT f.patient_id, p.display_name, f.tier, f.next_due_at, f.enrolled_at, (SELECT max(v.occurred_at) FROM visits v WHERE v.patient_id = f.patient_id) AS last_visit
         FROM follow_up_plans f JOIN patients p ON p.id = f.patient_id WHERE f.patient_id = ANY($1)`,
      [patientIds],
    );
  }

  async dueBy(now: Date): Promise<string[]> {
    const due: { patient_id: string }[] = await this.dataSource.query('SELECT patient_id FROM follow_up_plans WHERE next_due_at <= $1', [now]);
    return due.map((row) => row.patient_id);
  }

  /**
   * Reviews one plan under a row lock (SKIP LOCKED: another instance reviewing it wins). `decide` sees the
   * plan and returns the review to apply, or null to leave it; the plan is updated and a change proposed
   * in one transaction. Resolves to the review applied, or null. With `onlyIfDue`, a plan not yet due is skipped.
   */
  reviewLocked(patientId: string, now: Date, onlyIfDue: boolean, decide: (plan: FollowUpPlanRow) => PlanReview | null): Promise<PlanReview | null> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(
        `SELECT patient_id, pathway, tier, interval_days, step, stable_reviews, next_due_at FROM follow_up_plans
          WHERE patient_id = $1 ${onlyIfDue ? 'AND next_due_at <= $2' : 'AND $2::timestamptz IS NOT NULL'} FOR UPDATE SKIP LOCKED`,
        [patientId, now],
      )) as { patient_id: string; pathway: string; tier: string; interval_days: number; step: number; stable_reviews: number; next_due_at: Date }[];
      if (!row) return null;
      const plan: FollowUpPlanRow = {
        patientId: row.patient_id,
        pathway: row.pathway,
        tier: row.tier,
        intervalDays: row.interval_days,
        step: row.step,
        stableReviews: row.stable_reviews,
        nextDueAt: new Date(row.next_due_at),
      };
      const review = decide(plan);
      if (!review) return null;
      const { next, change } = review;
      await manager.query(
        `UPDATE follow_up_plans SET tier = $2, interval_days = $3, step = $4, stable_reviews = $5, next_due_at = $6, last_reviewed_at = $7, updated_at = now()
          WHERE patient_id = $1`,
        [patientId, next.tier, next.intervalDays, next.step, next.stableReviews, next.nextDueAt, now],
      );
      if (change) {
        await manager.query(
          `INSERT INTO follow_up_changes (patient_id, kind, from_interval_days, to_interval_days, next_due_at, reason, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [patientId, change.kind, plan.intervalDays, next.intervalDays, next.nextDueAt, change.reason, now],
        );
      }
      return review;
    });
  }

  /** Plans due within 7 days of `now`, with the reminder kinds already sent for that contact. */
  upcomingContacts(now: Date): Promise<{ patient_id: string; next_due_at: Date; sent: string[] }[]> {
    return this.dataSource.query(
      `SELECT p.patient_id, p.next_due_at, coalesce(array_agg(r.kind) FILTER (WHERE r.kind IS NOT NULL), '{}') AS sent
         FROM follow_up_plans p LEFT JOIN follow_up_reminders r ON r.patient_id = p.patient_id AND r.due_at = p.next_due_at
        WHERE p.next_due_at <= $1::timestamptz + interval '7 days'
        GROUP BY p.patient_id, p.next_due_at`,
      [now],
    );
  }

  /** Records a reminder as sent; false when another instance already did (its primary key won). */
  async recordReminder(patientId: string, dueAt: Date, kind: string, sentAt: Date): Promise<boolean> {
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO follow_up_reminders (patient_id, due_at, kind, sent_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING kind`,
      [patientId, dueAt, kind, sentAt],
    );
    return inserted.length > 0;
  }
}
