import { Inject, Injectable, Logger } from '@nestjs/common';
import { remindersDue, reviewPlan, riskTier, type PlanState, type ReminderKind } from '@rpm/clinical';
import { FollowUpPlanRepository, type FollowUpPlanRow, type PlanReview } from '@rpm/persistence';
import { DataSource } from 'typeorm';
import { JobFailures } from '../jobs/job-failures';
import { PatientAssessment } from './patient-assessment';

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
  private readonly plans: FollowUpPlanRepository;

  constructor(
    @Inject(DataSource) dataSource: DataSource,
    private readonly assessment: PatientAssessment,
    private readonly failures: JobFailures,
  ) {
    this.plans = new FollowUpPlanRepository(dataSource);
  }

  async runOnce(now = new Date()): Promise<void> {
    // Reminders first: the same-day reminder belongs to the contact the review is about to move on from.
    await this.sendReminders(now);
    for (const patientId of await this.plans.dueBy(now)) {
      await this.failures.isolate('follow-up', { patientId }, () => this.review(patientId, now, true));
    }
  }

  /** Reviews one plan now (after an urgent alert): a step up applies at once, anything else waits for its contact. */
  async reviewNow(patientId: string, now = new Date()): Promise<void> {
    // Most patients with an urgent alert have no plan: spare them the 30-day assessment the review starts with.
    if (!(await this.plans.hasPlan(patientId))) return;
    await this.review(patientId, now, false);
  }

  private async review(patientId: string, now: Date, atContact: boolean): Promise<void> {
    const tier = riskTier(await this.assessment.assess(patientId, now));
    const applied = await this.plans.reviewLocked(patientId, now, atContact, (row: FollowUpPlanRow): PlanReview | null => {
      const plan: PlanState = {
        pathway: row.pathway as PlanState['pathway'],
        tier: row.tier as PlanState['tier'],
        intervalDays: row.intervalDays,
        step: row.step,
        stableReviews: row.stableReviews,
        nextDueAt: row.nextDueAt,
      };
      const change = reviewPlan(plan, tier, now);
      if (!atContact && change.kind !== 'step_up') return null;
      return { next: change.next, change: change.kind === 'hold' ? null : { kind: change.kind, reason: change.reason } };
    });
    // Logged once the transaction has committed, so a rolled-back review never shows as proposed.
    if (applied?.change)
      this.logger.log({ message: 'follow-up change proposed', patientId, kind: applied.change.kind, intervalDays: applied.next.intervalDays });
  }

  private async sendReminders(now: Date): Promise<void> {
    for (const plan of await this.plans.upcomingContacts(now)) {
      await this.failures.isolate('follow-up', { patientId: plan.patient_id }, async () => {
        for (const kind of remindersDue(new Date(plan.next_due_at), now, plan.sent as ReminderKind[])) {
          if (await this.plans.recordReminder(plan.patient_id, plan.next_due_at, kind, now)) {
            this.logger.log({ message: 'follow-up reminder sent', patientId: plan.patient_id, kind });
          }
        }
      });
    }
  }
}
