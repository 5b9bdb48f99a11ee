import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { CLOCK, detectSilence, judge, pathwayTemplate, proposeChange, reminderDue, systemClock, type Clock, type ReminderKind } from '@rpm/clinical';
import { FollowUpPlanRepository } from '@rpm/persistence';
import { DataSource } from 'typeorm';
import { ALERT_CHANNELS, type AlertChannel } from '../delivery/alert-channel';
import { JobFailures } from '../jobs/job-failures';
import { PatientAssessment } from './patient-assessment';
import { PatientReminders } from './patient-reminders';

/** A plan is assessed once a day; the job may tick more often (reminders, status). */
const ASSESS_EVERY_MS = 20 * 3_600_000;

/**
 * The follow-up centre's daily work. It assesses each plan from the data (retrospective alerts count) and
 * proposes a change with its reasons for the clinician to confirm or override; it never moves a due date.
 * It stores overdue, missed and lost to follow-up as the dates pass (recording each change), and sends the
 * 7-day, 3-day and same-day reminders to the responsible staff member through the delivery channels, each
 * once. Safe on several instances (row locks, SKIP LOCKED, reminder primary keys); one patient's failure is
 * logged and counted and the others go on.
 */
@Injectable()
export class FollowUpJob {
  private readonly logger = new Logger(FollowUpJob.name);
  private readonly plans: FollowUpPlanRepository;

  constructor(
    @Inject(DataSource) dataSource: DataSource,
    private readonly assessment: PatientAssessment,
    private readonly failures: JobFailures,
    @Optional() @Inject(ALERT_CHANNELS) private readonly channels: AlertChannel[] = [],
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
    @Optional() @Inject(PatientReminders) private readonly patientReminders: PatientReminders | null = null,
  ) {
    this.plans = new FollowUpPlanRepository(dataSource);
    this.channels ??= [];
    this.clock ??= systemClock;
  }

  async runOnce(now = this.clock.now()): Promise<void> {
    for (const patientId of await this.plans.dueForAssessment(new Date(now.getTime() - ASSESS_EVERY_MS))) {
      await this.failures.isolate('follow-up', { patientId }, () => this.review(patientId, now));
    }
    for (const patientId of await this.plans.allPatients()) {
      await this.failures.isolate('follow-up', { patientId }, () => this.plans.refreshStatus(patientId, now));
    }
    await this.queueReminders(now);
    await this.deliverReminders();
    // Reminders to patients, when patient links are configured (PATIENT_LINK_SECRET).
    await this.patientReminders?.runOnce(now);
  }

  /** Assesses one plan now (after a live urgent alert), not at the next daily run. */
  async reviewNow(patientId: string, now = this.clock.now()): Promise<void> {
    // Most patients with an urgent alert have no plan: spare them the 30-day assessment.
    if (!(await this.plans.hasPlan(patientId))) return;
    await this.review(patientId, now);
  }

  private async review(patientId: string, now: Date): Promise<void> {
    const plan = await this.plans.plan(patientId);
    if (!plan) return;
    const template = pathwayTemplate(plan.pathway, plan.pathwayVersion);
    if (!template) throw new Error(`no pathway ${plan.pathway} v${plan.pathwayVersion}`);
    const assessment = await this.assessment.assess(patientId, now);
    const judgement = judge(template, assessment);
    const proposed = await this.plans.recordAssessment(patientId, now, { ...judgement, at: now.toISOString() }, null, (state) =>
      proposeChange(template, state, judgement, now),
    );
    // Logged once the transaction has committed, so a rolled-back review never shows as proposed.
    if (proposed !== null) this.logger.log({ message: 'follow-up change proposed', patientId, changeId: proposed, state: judgement.state });
    // A patient who stopped uploading goes on the nurse worklist, once per silence and again while it outlasts a contact (not a change of tier).
    const silence = await this.plans.reviewSilence(patientId, now, detectSilence(template, assessment.uploads, now));
    if (silence) this.logger.log({ message: `follow-up no data: ${silence}`, patientId });
  }

  private async queueReminders(now: Date): Promise<void> {
    for (const plan of await this.plans.upcomingContacts(now)) {
      await this.failures.isolate('follow-up', { patientId: plan.patient_id }, async () => {
        const kind = reminderDue(new Date(plan.next_due_at), now, plan.sent as ReminderKind[]);
        if (!kind) return;
        const recipients = await this.plans.reminderRecipients(plan.patient_id, plan.assigned_to);
        await this.plans.recordReminder(plan.patient_id, new Date(plan.next_due_at), kind, recipients[0]?.id ?? null, now);
      });
    }
  }

  /** Sends recorded reminders through every channel that can carry one; a failure is retried on the next run. */
  private async deliverReminders(): Promise<void> {
    const channels = this.channels.filter((channel) => channel.sendStaffReminder);
    for (const reminder of await this.plans.pendingReminders()) {
      const dueAt = new Date(reminder.due_at);
      await this.failures.isolate('follow-up', { patientId: reminder.patient_id }, async () => {
        const [recipient] = await this.plans.reminderRecipients(reminder.patient_id, reminder.recipient_id);
        try {
          if (!recipient) throw new Error('no staff member to remind');
          for (const channel of channels) {
            await channel.sendStaffReminder!({ kind: reminder.kind as ReminderKind, patientId: reminder.patient_id, dueAt: dueAt.toISOString(), recipient });
          }
          await this.plans.reminderDelivered(reminder.patient_id, dueAt, reminder.kind);
          this.logger.log({ message: 'follow-up reminder sent', patientId: reminder.patient_id, kind: reminder.kind, recipientId: recipient.id });
        } catch (error) {
          await this.plans.reminderDelivered(reminder.patient_id, dueAt, reminder.kind, (error as Error).message.replaceAll('\0', '').slice(0, 1000));
          throw error;
        }
      });
    }
  }
}
