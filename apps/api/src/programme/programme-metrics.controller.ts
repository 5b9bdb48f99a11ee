import { Controller, Get, Inject } from '@nestjs/common';
import { cgmInTarget, type FollowUpStatus } from '@rpm/clinical';
import { AlertRepository, CareTeamScope, FollowUpPlanRepository, PatientRepository, patientControl, type ProgrammePlanRow } from '@rpm/persistence';
import { READING_STORE } from '@rpm/platform';
import type { ReadingStore } from '@rpm/timeseries';
import { AuditLog } from '../audit/audit-log';
import { CurrentUser, RequestId, type AuthenticatedUser } from '../auth/current-user';
import { programmeMetricsSchema } from '@rpm/contracts';
import { RespondsWith } from '../http/responds-with.decorator';

const DAY = 86_400_000;
const TIER_RANK: Record<string, number> = { high: 2, medium: 1, low: 0 };
const percent = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 10);

/**
 * Programme metrics over the caller's care teams: follow-up coverage and status, the overdue list ranked by
 * risk, alert load and time to acknowledge per clinician, and control rates (home BP mean < 135/85,
 * CGM time in range > 70%).
 */
@Controller('programme')
export class ProgrammeMetricsController {
  constructor(
    @Inject(CareTeamScope) private readonly scope: CareTeamScope,
    @Inject(PatientRepository) private readonly patients: PatientRepository,
    @Inject(FollowUpPlanRepository) private readonly followUpPlans: FollowUpPlanRepository,
    @Inject(AlertRepository) private readonly alerts: AlertRepository,
    @Inject(READING_STORE) private readonly store: ReadingStore,
    private readonly audit: AuditLog,
  ) {}

  @Get('metrics')
  @RespondsWith(200, programmeMetricsSchema)
  async metrics(@CurrentUser() user: AuthenticatedUser, @RequestId() requestId: string) {
    await this.audit.record({ userId: user.id, action: 'programme.metrics', patientId: null, outcome: 'allowed', requestId });
    const now = new Date();
    const ids = await this.scope.patientIds(user.id);
    const plans = await this.followUpPlans.ofPatients(ids);
    // The stored status: overdue, missed and lost persist until a contact ends them (the follow-up job keeps it current).
    const statusOf = (plan: ProgrammePlanRow): FollowUpStatus => plan.status;
    const statuses = plans.map((plan) => ({ plan, status: statusOf(plan) }));
    const count = (status: FollowUpStatus) => statuses.filter((entry) => entry.status === status).length;
    const overdue = statuses
      .filter((entry) => entry.status !== 'scheduled')
      .sort((a, b) => TIER_RANK[b.plan.tier] - TIER_RANK[a.plan.tier] || new Date(a.plan.next_due_at).getTime() - new Date(b.plan.next_due_at).getTime())
      .map(({ plan, status }) => ({
        patientId: plan.patient_id,
        displayName: plan.display_name,
        tier: plan.tier,
        dueAt: new Date(plan.next_due_at).toISOString(),
        status,
      }));

    const monthAgo = new Date(now.getTime() - 30 * DAY);
    const [perClinician, alertTotals, timeZones] = await Promise.all([
      this.alerts.acknowledgementsByClinician(ids, monthAgo),
      this.alerts.totalsCreatedSince(ids, monthAgo),
      this.patients.timeZones(ids),
    ]);

    let bpMeasured = 0;
    let bpControlled = 0;
    let cgmMeasured = 0;
    let cgmMeetingTarget = 0;
    for (const patientId of ids) {
      const { homeBp, cgm } = await patientControl(this.store, patientId, timeZones.get(patientId) ?? 'UTC', now);
      if (homeBp) {
        bpMeasured++;
        if (homeBp.controlled) bpControlled++;
      }
      if (cgm) {
        cgmMeasured++;
        if (cgmInTarget(cgm)) cgmMeetingTarget++;
      }
    }

    return {
      patients: ids.length,
      followUp: {
        coveragePercent: percent(plans.length, ids.length),
        scheduled: count('scheduled'),
        overdue: count('overdue'),
        missed: count('missed'),
        lostToFollowUp: count('lost_to_follow_up'),
        onSchedulePercent: percent(count('scheduled'), plans.length),
        lossToFollowUpPercent: percent(count('lost_to_follow_up'), plans.length),
        overdueByRisk: overdue,
      },
      alerts30Days: {
        ...alertTotals,
        acknowledgedByClinician: perClinician.map((row) => ({
          userId: row.user_id,
          displayName: row.display_name,
          acknowledged: row.acknowledged,
          medianMinutesToAcknowledge: row.median_minutes === null ? null : Math.round(row.median_minutes * 10) / 10,
        })),
      },
      control: {
        bloodPressure: { measured: bpMeasured, controlledPercent: percent(bpControlled, bpMeasured) },
        glucose: { measured: cgmMeasured, timeInRangeOver70Percent: percent(cgmMeetingTarget, cgmMeasured) },
      },
    };
  }
}
