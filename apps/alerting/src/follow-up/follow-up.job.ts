import { Inject, Injectable, Logger } from '@nestjs/common';
import { remindersDue, reviewPlan, riskTier, type PlanState, type ReminderKind } from '@rpm/clinical';
import { DataSource } from 'typeorm';
import { JobFailures } from '../jobs/job-failures';
import { PatientAssessment } from './patient-assessment';

interface PlanRow {
  patient_id: string;
  pathway: PlanState['pathway'];
  tier: PlanState['tier'];
  interval_days: number;
  step: number;
  stable_reviews: number;
  next_due_at: Date;
}

/**
 * Reviews plans whose contact is due (and, through reviewNow, at once after an urgent alert) and sends
 * the 7-day, 3-day and same-day reminders. Each change is applied and recorded as proposed for the
 * clinician to confirm or override. Safe to run on several instances: a plan is reviewed under a row lock
 * (SKIP LOCKED) and a reminder is sent only by the instance whose insert wins its primary key. One
 * patient's failure is logged and counted; the others are still reviewed and reminded.
 */
@Injectable()
export class FollowUpJob {
  private readonly logger = new Logger(FollowUpJob.name);

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly assessment: PatientAssessment,
    private readonly failures: JobFailures,
  ) {}

  async runOnce(now = new Date()): Promise<void> {
    // Reminders first: the same-day reminder belongs to the contact the review is about to move on from.
    await this.sendReminders(now);
    const due: { patient_id: string }[] = await this.dataSource.query('SELECT patient_id FROM follow_up_plans WHERE next_due_at <= $1', [now]);
    for (const { patient_id: patientId } of due) {
      await this.failures.isolate('follow-up', { patientId }, () => this.review(patientId, now, true));
    }
  }

  /** Reviews one plan now (after an urgent alert): a step up applies at once, anything else waits for its contact. */
  async reviewNow(patientId: string, now = new Date()): Promise<void> {
    // Most patients with an urgent alert have no plan: spare them the 30-day assessment the review starts with.
    const plans: unknown[] = await this.dataSource.query('SELECT 1 FROM follow_up_plans WHERE patient_id = $1', [patientId]);
    if (plans.length === 0) return;
    await this.review(patientId, now, false);
  }

  private async review(patientId: string, now: Date, atContact: boolean): Promise<void> {
    const assessment = await this.assessment.assess(patientId, now);
    await this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(
        `SELECT patient_id, pathway, tier, interval_days, step, stable_reviews, next_due_at FROM follow_up_plans
          WHERE patient_id = $1 ${atContact ? 'AND next_due_at <= $2' : 'AND $2::timestamptz IS NOT NULL'} FOR UPDATE SKIP LOCKED`,
        [patientId, now],
      )) as PlanRow[];
      if (!row) return;
      const plan: PlanState = {
        pathway: row.pathway,
        tier: row.tier,
        intervalDays: row.interval_days,
        step: row.step,
        stableReviews: row.stable_reviews,
        nextDueAt: new Date(row.next_due_at),
      };
      const change = reviewPlan(plan, riskTier(assessment), now);
      if (!atContact && change.kind !== 'step_up') return;
      const next = change.next;
      await manager.query(
        `UPDATE follow_up_plans SET tier = $2, interval_days = $3, step = $4, stable_reviews = $5, next_due_at = $6, last_reviewed_at = $7, updated_at = now()
          WHERE patient_id = $1`,
        [patientId, next.tier, next.intervalDays, next.step, next.stableReviews, next.nextDueAt, now],
      );
      if (change.kind !== 'hold') {
        await manager.query(
          `INSERT INTO follow_up_changes (patient_id, kind, from_interval_days, to_interval_days, next_due_at, reason, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [patientId, change.kind, plan.intervalDays, next.intervalDays, next.nextDueAt, change.reason, now],
        );
        this.logger.log({ message: 'follow-up change proposed', patientId, kind: change.kind, intervalDays: next.intervalDays });
      }
    });
  }

  private async sendReminders(now: Date): Promise<void> {
    const upcoming: { patient_id: string; next_due_at: Date; sent: ReminderKind[] }[] = await this.dataSource.query(
      `SELECT p.patient_id, p.next_due_at, coalesce(array_agg(r.kind) FILTER (WHERE r.kind IS NOT NULL), '{}') AS sent
         FROM follow_up_plans p LEFT JOIN follow_up_reminders r ON r.patient_id = p.patient_id AND r.due_at = p.next_due_at
        WHERE p.next_due_at <= $1::timestamptz + interval '7 days'
        GROUP BY p.patient_id, p.next_due_at`,
      [now],
    );
    for (const plan of upcoming) {
      await this.failures.isolate('follow-up', { patientId: plan.patient_id }, async () => {
        for (const kind of remindersDue(new Date(plan.next_due_at), now, plan.sent)) {
          const inserted: unknown[] = await this.dataSource.query(
            `INSERT INTO follow_up_reminders (patient_id, due_at, kind, sent_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING kind`,
            [plan.patient_id, plan.next_due_at, kind, now],
          );
          if (inserted.length) this.logger.log({ message: 'follow-up reminder sent', patientId: plan.patient_id, kind });
        }
      });
    }
  }
}
