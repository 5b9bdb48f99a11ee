import {
  AGP_MIN_COVERAGE_PERCENT,
  aggregateFollowUpDashboard,
  cgmInTarget,
  pathwayTemplate,
  type DashboardFacts,
  type DashboardPatientFacts,
  type FollowUpDashboard,
  type FollowUpStatus,
} from '@rpm/clinical';
import type { DataSource } from 'typeorm';
import { CareTeamScope } from './care-team-scope';
import { patientControl, type ControlReadings } from './patient-control';

const DAY = 86_400_000;
const WEEK = 7 * DAY;

/** Where the readings come from: the reading store has what patientControl needs. */
export type DashboardReadings = ControlReadings;

/** Whose patients: a clinician's (through their care teams, optionally one of them) or one care team's. */
export type DashboardScope = { userId: string; careTeamId?: string } | { careTeamId: string };

interface PatientRow {
  patient_id: string;
  display_name: string;
  care_team_id: string;
  care_team_name: string;
  time_zone: string;
  pathway: string | null;
  pathway_version: number | null;
  status: FollowUpStatus | null;
  enrolled_at: Date | null;
  next_due_at: Date | null;
  anchor_at: Date | null;
  assigned_to: string | null;
  assigned_name: string | null;
}

/**
 * The follow-up centre's dashboard: gathers the facts of a scope (plans, contacts and status changes from
 * follow_up_events, acknowledged alerts, admissions and discharges from visits, readings for the clinical
 * summaries, satisfaction surveys after contacts, patient reminders by channel and what patients answered) and hands them to the pure aggregation (@rpm/clinical aggregateFollowUpDashboard).
 */
export class FollowUpDashboardRepository {
  constructor(private readonly dataSource: DataSource) {}

  async dashboard(scope: DashboardScope, readings: DashboardReadings, now: Date, weeks: number): Promise<FollowUpDashboard> {
    return aggregateFollowUpDashboard(await this.facts(scope, readings, now, weeks));
  }

  async facts(scope: DashboardScope, readings: DashboardReadings, now: Date, weeks: number): Promise<DashboardFacts> {
    const from = new Date(now.getTime() - weeks * WEEK);
    const rows = await this.patients(scope);
    const ids = rows.map((row) => row.patient_id);
    const [contacts, statusChanges, acknowledgements, visits, satisfaction, reminders, linkAnswers, answered] = await Promise.all([
      this.dataSource.query(
        `SELECT patient_id, (detail->>'at')::timestamptz AS at, (detail->>'completedDueAt')::timestamptz AS completed_due_at
           FROM follow_up_events
          WHERE kind = 'contact' AND patient_id = ANY($1) AND detail ? 'completedDueAt' AND at <= $3
            AND (at >= $2 OR (detail->>'completedDueAt')::timestamptz >= $2)`,
        [ids, from, now],
      ) as Promise<{ patient_id: string; at: Date; completed_due_at: Date }[]>,
      this.dataSource.query(
        `SELECT patient_id, at, to_status FROM follow_up_events WHERE kind = 'status' AND patient_id = ANY($1) AND at <= $2 ORDER BY at, id`,
        [ids, now],
      ) as Promise<{ patient_id: string; at: Date; to_status: FollowUpStatus }[]>,
      // From when the platform raised the alert (a retrospective alert opens in the past) to its acknowledgement.
      this.dataSource.query(
        `SELECT a.patient_id, a.acknowledged_by AS user_id, u.display_name AS user_name,
                extract(epoch FROM a.acknowledged_at - a.created_at)::float8 / 60 AS minutes
           FROM alerts a JOIN users u ON u.id = a.acknowledged_by
          WHERE a.patient_id = ANY($1) AND a.created_at >= $2 AND a.acknowledged_at <= $3`,
        [ids, from, now],
      ) as Promise<{ patient_id: string; user_id: string; user_name: string; minutes: number }[]>,
      this.dataSource.query(
        `SELECT patient_id, type, occurred_at FROM visits
          WHERE patient_id = ANY($1) AND type IN ('hospital_discharge', 'admission') AND status = 'completed' AND occurred_at >= $2 AND occurred_at <= $3`,
        [ids, new Date(from.getTime() - 31 * DAY), now],
      ) as Promise<{ patient_id: string; type: string; occurred_at: Date }[]>,
      // Surveys after a contact: the contact's clinician (from its assignment) and the patient's care team.
      this.dataSource.query(
        `SELECT r.patient_id, p.care_team_id, t.name AS care_team_name, a.clinician_id, u.display_name AS clinician_name, r.answered_at, r.answers
           FROM questionnaire_assignments a JOIN questionnaire_responses r ON r.id = a.response_id
           JOIN patients p ON p.id = r.patient_id JOIN care_teams t ON t.id = p.care_team_id LEFT JOIN users u ON u.id = a.clinician_id
          WHERE a.instrument = 'contact_satisfaction' AND r.patient_id = ANY($1) AND r.answered_at >= $2 AND r.answered_at <= $3`,
        [ids, from, now],
      ) as Promise<
        {
          patient_id: string;
          care_team_id: string;
          care_team_name: string;
          clinician_id: string | null;
          clinician_name: string | null;
          answered_at: Date;
          answers: Record<string, number>;
        }[]
      >,
      this.dataSource.query(
        `SELECT patient_id, channel, sent_at, due_at FROM patient_reminders WHERE status = 'sent' AND patient_id = ANY($1) AND sent_at >= $2 AND sent_at <= $3`,
        [ids, from, now],
      ) as Promise<{ patient_id: string; channel: string; sent_at: Date; due_at: Date }[]>,
      this.dataSource.query(
        `SELECT patient_id, at, kind, due_at FROM follow_up_events
          WHERE kind IN ('patient_confirmed', 'patient_asked_to_reschedule') AND patient_id = ANY($1) AND at >= $2 AND at <= $3`,
        [ids, from, now],
      ) as Promise<{ patient_id: string; at: Date; kind: string; due_at: Date }[]>,
      this.dataSource.query(
        `SELECT patient_id, answered_at FROM questionnaire_responses WHERE source = 'patient' AND patient_id = ANY($1) AND answered_at >= $2 AND answered_at <= $3`,
        [ids, from, now],
      ) as Promise<{ patient_id: string; answered_at: Date }[]>,
    ]);

    const patients: DashboardPatientFacts[] = [];
    for (const row of rows) patients.push({ ...this.planFacts(row), ...(await this.dataFacts(row, readings, now)) });
    // The anchor of a pathway counted from a surgery or a discharge is a discharge too.
    const anchors = rows
      .filter((row) => row.anchor_at && row.pathway && pathwayTemplate(row.pathway, row.pathway_version ?? undefined)?.schedule.kind === 'anchored')
      .map((row) => ({ patientId: row.patient_id, at: new Date(row.anchor_at!) }));
    const visitsOf = (type: string) =>
      visits.filter((visit) => visit.type === type).map((visit) => ({ patientId: visit.patient_id, at: new Date(visit.occurred_at) }));

    return {
      now,
      weeks,
      patients,
      contacts: contacts.map((row) => ({ patientId: row.patient_id, at: new Date(row.at), completedDueAt: new Date(row.completed_due_at) })),
      statusChanges: statusChanges.map((row) => ({ patientId: row.patient_id, at: new Date(row.at), toStatus: row.to_status })),
      acknowledgements: acknowledgements.map((row) => ({ patientId: row.patient_id, userId: row.user_id, userName: row.user_name, minutes: row.minutes })),
      discharges: [...visitsOf('hospital_discharge'), ...anchors],
      admissions: visitsOf('admission'),
      satisfaction: satisfaction.map((row) => ({
        patientId: row.patient_id,
        careTeamId: row.care_team_id,
        careTeamName: row.care_team_name,
        clinicianId: row.clinician_id,
        clinicianName: row.clinician_name,
        answeredAt: new Date(row.answered_at),
        overall: row.answers['satisfaction-overall'],
        helped: row.answers['satisfaction-helped'],
        recommend: row.answers['satisfaction-recommend'],
      })),
      reminders: reminders.map((row) => ({ patientId: row.patient_id, channel: row.channel, sentAt: new Date(row.sent_at), dueAt: new Date(row.due_at) })),
      patientResponses: [
        ...linkAnswers.map((row) => ({
          patientId: row.patient_id,
          at: new Date(row.at),
          kind: row.kind === 'patient_confirmed' ? ('confirm' as const) : ('reschedule' as const),
          dueAt: new Date(row.due_at),
        })),
        ...answered.map((row) => ({ patientId: row.patient_id, at: new Date(row.answered_at), kind: 'questionnaire' as const, dueAt: null })),
      ],
    };
  }

  private patients(scope: DashboardScope): Promise<PatientRow[]> {
    const select = `SELECT p.id AS patient_id, p.display_name, p.care_team_id, t.name AS care_team_name, p.time_zone, f.pathway, f.pathway_version,
              f.status, f.enrolled_at, f.next_due_at, f.anchor_at, f.assigned_to, u.display_name AS assigned_name
         FROM patients p JOIN care_teams t ON t.id = p.care_team_id
         LEFT JOIN follow_up_plans f ON f.patient_id = p.id LEFT JOIN users u ON u.id = f.assigned_to`;
    if ('userId' in scope) {
      return this.dataSource.query(`${select} ${CareTeamScope.join('p', '$1')} WHERE ($2::uuid IS NULL OR p.care_team_id = $2) ORDER BY p.display_name`, [
        scope.userId,
        scope.careTeamId ?? null,
      ]);
    }
    return this.dataSource.query(`${select} WHERE p.care_team_id = $1 ORDER BY p.display_name`, [scope.careTeamId]);
  }

  private planFacts(row: PatientRow): Omit<DashboardPatientFacts, 'enoughData' | 'homeBpControlled' | 'cgmInTarget'> {
    return {
      patientId: row.patient_id,
      displayName: row.display_name,
      careTeamId: row.care_team_id,
      careTeamName: row.care_team_name,
      clinicianId: row.assigned_to,
      clinicianName: row.assigned_name,
      status: row.status,
      enrolledAt: row.enrolled_at ? new Date(row.enrolled_at) : null,
      nextDueAt: row.next_due_at ? new Date(row.next_due_at) : null,
    };
  }

  /**
   * Enough data and control, by the clinical summaries: the ESH home BP mean over 7 days (< 135/85), a CGM
   * fortnight with >= 70% of readings (Battelino 2019) and its time in range target. A patient whose readings
   * cannot be read counts as not measured, and the others are still counted.
   */
  private async dataFacts(
    row: PatientRow,
    readings: DashboardReadings,
    now: Date,
  ): Promise<Pick<DashboardPatientFacts, 'enoughData' | 'homeBpControlled' | 'cgmInTarget'>> {
    const { homeBp, cgm } = await patientControl(readings, row.patient_id, row.time_zone, now);
    const cgmSufficient = cgm !== null && cgm.coveragePercent >= AGP_MIN_COVERAGE_PERCENT;
    return {
      enoughData: homeBp !== null || cgmSufficient,
      homeBpControlled: homeBp ? homeBp.controlled : null,
      cgmInTarget: cgmSufficient ? cgmInTarget(cgm) : null,
    };
  }
}

/**
 * The dashboard figures of one care team over the last `weeks` weeks: what the follow-up centre's dashboard
 * shows for that team, for tests and tools that keep their own tally to compare with.
 */
export function followUpDashboardForCareTeam(
  dataSource: DataSource,
  readings: DashboardReadings,
  careTeamId: string,
  options: { now?: Date; weeks?: number } = {},
): Promise<FollowUpDashboard> {
  return new FollowUpDashboardRepository(dataSource).dashboard({ careTeamId }, readings, options.now ?? new Date(), options.weeks ?? 12);
}
