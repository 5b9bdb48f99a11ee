import { Controller, Get, Inject } from '@nestjs/common';
import { followUpStatus, summarizeGlucose, type FollowUpStatus } from '@rpm/clinical';
import { READING_STORE } from '@rpm/platform';
import type { ReadingStore } from '@rpm/timeseries';
import { DataSource } from 'typeorm';
import { AuditLog } from '../audit/audit-log';
import { CurrentUser, RequestId, type AuthenticatedUser } from '../auth/current-user';

const DAY = 86_400_000;
const TIER_RANK: Record<string, number> = { high: 2, medium: 1, low: 0 };
const percent = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 10);

interface PlanRow {
  patient_id: string;
  display_name: string;
  tier: string;
  next_due_at: Date;
  enrolled_at: Date;
  last_visit: Date | null;
}

/**
 * Programme metrics over the caller's care teams: follow-up coverage and status, the overdue list ranked by
 * risk, alert load and time to acknowledge per clinician, and control rates (home BP mean < 135/85,
 * CGM time in range > 70%).
 */
@Controller('programme')
export class ProgrammeMetricsController {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(READING_STORE) private readonly store: ReadingStore,
    private readonly audit: AuditLog,
  ) {}

  @Get('metrics')
  async metrics(@CurrentUser() user: AuthenticatedUser, @RequestId() requestId: string) {
    await this.audit.record({ userId: user.id, action: 'programme.metrics', patientId: null, outcome: 'allowed', requestId });
    const now = new Date();
    const patients: { id: string }[] = await this.dataSource.query(
      `SELECT DISTINCT p.id FROM patients p JOIN care_team_members m ON m.care_team_id = p.care_team_id WHERE m.user_id = $1`,
      [user.id],
    );
    const ids = patients.map((patient) => patient.id);
    const plans: PlanRow[] = await this.dataSource.query(
      `SELECT f.patient_id, p.display_name, f.tier, f.next_due_at, f.enrolled_at, (SELECT max(v.occurred_at) FROM visits v WHERE v.patient_id = f.patient_id) AS last_visit
         FROM follow_up_plans f JOIN patients p ON p.id = f.patient_id WHERE f.patient_id = ANY($1)`,
      [ids],
    );
    const statusOf = (plan: PlanRow): FollowUpStatus => followUpStatus(new Date(plan.next_due_at), plan.last_visit ? new Date(plan.last_visit) : null, now, new Date(plan.enrolled_at));
    const statuses = plans.map((plan) => ({ plan, status: statusOf(plan) }));
    const count = (status: FollowUpStatus) => statuses.filter((entry) => entry.status === status).length;
    const overdue = statuses
      .filter((entry) => entry.status !== 'scheduled')
      .sort((a, b) => TIER_RANK[b.plan.tier] - TIER_RANK[a.plan.tier] || new Date(a.plan.next_due_at).getTime() - new Date(b.plan.next_due_at).getTime())
      .map(({ plan, status }) => ({ patientId: plan.patient_id, displayName: plan.display_name, tier: plan.tier, dueAt: new Date(plan.next_due_at).toISOString(), status }));

    const perClinician: { user_id: string; display_name: string; acknowledged: number; median_minutes: number | null }[] = await this.dataSource.query(
      `SELECT a.acknowledged_by AS user_id, u.display_name, count(*)::int AS acknowledged,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM a.acknowledged_at - a.created_at) / 60) AS median_minutes
         FROM alerts a JOIN users u ON u.id = a.acknowledged_by
        WHERE a.patient_id = ANY($1) AND a.acknowledged_at > $2 GROUP BY 1, 2 ORDER BY 2`,
      [ids, new Date(now.getTime() - 30 * DAY)],
    );
    const [alertTotals] = await this.dataSource.query(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE severity = 'urgent')::int AS urgent, count(*) FILTER (WHERE status = 'open')::int AS open
         FROM alerts WHERE patient_id = ANY($1) AND created_at > $2 AND NOT retrospective`,
      [ids, new Date(now.getTime() - 30 * DAY)],
    );

    let bpMeasured = 0;
    let bpControlled = 0;
    let cgmMeasured = 0;
    let cgmInTarget = 0;
    for (const patientId of ids) {
      const [bp, glucose] = await Promise.all([
        this.store.query({ patientId, metric: 'blood_pressure', from: new Date(now.getTime() - 7 * DAY), to: now, limit: 1000 }),
        this.store.query({ patientId, metric: 'glucose', from: new Date(now.getTime() - 14 * DAY), to: now, limit: 10_000 }),
      ]);
      if (bp.length >= 4) {
        bpMeasured++;
        const mean = (field: string) => bp.reduce((sum, reading) => sum + reading.values[field], 0) / bp.length;
        if (mean('systolic') < 135 && mean('diastolic') < 85) bpControlled++;
      }
      const cgm = summarizeGlucose(glucose.filter((reading) => reading.context.source === 'cgm'));
      if (cgm) {
        cgmMeasured++;
        if (cgm.tir > 70) cgmInTarget++;
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
      alerts30Days: { ...alertTotals, acknowledgedByClinician: perClinician.map((row) => ({ userId: row.user_id, displayName: row.display_name, acknowledged: row.acknowledged, medianMinutesToAcknowledge: row.median_minutes === null ? null : Math.round(row.median_minutes * 10) / 10 })) },
      control: {
        bloodPressure: { measured: bpMeasured, controlledPercent: percent(bpControlled, bpMeasured) },
        glucose: { measured: cgmMeasured, timeInRangeOver70Percent: percent(cgmInTarget, cgmMeasured) },
      },
    };
  }
}
