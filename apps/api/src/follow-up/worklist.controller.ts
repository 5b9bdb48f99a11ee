import { Controller, Get, Inject } from '@nestjs/common';
import { CLOCK, type Clock } from '@rpm/clinical';
import { followUpWorklistSchema } from '@rpm/contracts';
import { CareTeamScope, FollowUpPlanRepository, FollowUpTaskRepository, PatientContactRepository } from '@rpm/persistence';
import { AuditLog } from '../audit/audit-log';
import { CurrentUser, RequestId, type AuthenticatedUser } from '../auth/current-user';
import { RespondsWith } from '../http/responds-with.decorator';

const DAY = 86_400_000;
const STATUS_RANK: Record<string, number> = { lost_to_follow_up: 3, missed: 2, overdue: 1, scheduled: 0 };

/**
 * The nurse worklist: contacts due today or overdue across the caller's care teams, with the responsible
 * staff member, call attempts against the current due date and their last outcome, and escalations.
 * A patient who asked to reschedule or stopped uploading is listed before the due day. Most overdue first; then the caller's own open tasks due by the end of the day. Call outcomes and escalation are posted on the patient's follow-up routes.
 */
@Controller('follow-up')
export class WorklistController {
  constructor(
    @Inject(CareTeamScope) private readonly scope: CareTeamScope,
    @Inject(FollowUpPlanRepository) private readonly plans: FollowUpPlanRepository,
    @Inject(FollowUpTaskRepository) private readonly tasks: FollowUpTaskRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly audit: AuditLog,
    @Inject(PatientContactRepository) private readonly contacts: PatientContactRepository,
  ) {}

  @Get('worklist')
  @RespondsWith(200, followUpWorklistSchema)
  async worklist(@CurrentUser() user: AuthenticatedUser, @RequestId() requestId: string) {
    await this.audit.record({ userId: user.id, action: 'follow_up.worklist', patientId: null, outcome: 'allowed', requestId });
    const now = this.clock.now();
    const endOfDay = new Date(Math.floor(now.getTime() / DAY) * DAY + DAY);
    const ids = await this.scope.patientIds(user.id);
    // A patient who asked (through a reminder's link) to reschedule is on the list before the due day.
    const rescheduleRequested = await this.contacts.rescheduleRequests(ids);
    // So is a patient who stopped uploading (the daily assessment's "no readings since" item).
    const noReadings = await this.plans.noReadings(ids);
    const due = (await this.plans.ofPatients(ids)).filter(
      (plan) => new Date(plan.next_due_at).getTime() < endOfDay.getTime() || rescheduleRequested.has(plan.patient_id) || noReadings.has(plan.patient_id),
    );
    const attempts = await this.plans.attemptsForCurrentDue(due.map((plan) => plan.patient_id));
    const items = due
      .sort((a, b) => STATUS_RANK[b.status] - STATUS_RANK[a.status] || new Date(a.next_due_at).getTime() - new Date(b.next_due_at).getTime())
      .map((plan) => ({
        patientId: plan.patient_id,
        displayName: plan.display_name,
        careTeam: plan.care_team_name,
        pathway: plan.pathway,
        tier: plan.tier,
        dueAt: new Date(plan.next_due_at).toISOString(),
        status: plan.status,
        assignedTo: plan.assigned_to,
        assignedName: plan.assigned_name,
        attempts: attempts.get(plan.patient_id)?.attempts ?? 0,
        lastOutcome: attempts.get(plan.patient_id)?.lastOutcome ?? null,
        escalated: plan.escalated_at !== null,
        rescheduleRequested: rescheduleRequested.has(plan.patient_id),
        noReadings: noReadings.has(plan.patient_id)
          ? { since: noReadings.get(plan.patient_id)!.since.toISOString(), reason: noReadings.get(plan.patient_id)!.reason }
          : null,
      }));
    // The caller's own multidisciplinary tasks (a dietitian's, a psychologist's), among the same patients.
    const tasks = await this.tasks.openFor(user.id, ids, endOfDay);
    return { items, tasks };
  }
}
