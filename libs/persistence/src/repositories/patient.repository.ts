import type { DataSource } from 'typeorm';
import { PatientEntity } from '../entities';
import { CareTeamScope } from './care-team-scope';

/** A row of a clinician's worklist: the patient with open-alert counts and the follow-up plan, if any. */
export interface WorklistRow {
  id: string;
  display_name: string;
  programme: string;
  care_team_id: string;
  time_zone: string;
  urgent: number;
  warning: number;
  info: number;
  last_alert_at: Date | null;
  tier: 'high' | 'medium' | 'low' | null;
  interval_days: number | null;
  next_due_at: Date | null;
  total: number;
}

export interface NewPatient {
  displayName: string;
  programme: string;
  careTeamId: string;
  timeZone: string;
}

/** Patients: their record, and the worklist of the patients a clinician cares for. */
export class PatientRepository {
  constructor(private readonly dataSource: DataSource) {}

  find(patientId: string): Promise<PatientEntity | null> {
    return this.dataSource.getRepository(PatientEntity).findOneBy({ id: patientId });
  }

  get(patientId: string): Promise<PatientEntity> {
    return this.dataSource.getRepository(PatientEntity).findOneByOrFail({ id: patientId });
  }

  async timeZones(patientIds: readonly string[]): Promise<Map<string, string>> {
    const rows: { id: string; time_zone: string }[] = await this.dataSource.query('SELECT id, time_zone FROM patients WHERE id = ANY($1::uuid[])', [
      patientIds,
    ]);
    return new Map(rows.map((row) => [row.id, row.time_zone]));
  }

  async create(patient: NewPatient): Promise<NewPatient & { id: string }> {
    const [created] = await this.dataSource.query(
      `INSERT INTO patients (display_name, programme, care_team_id, time_zone) VALUES ($1, $2, $3, $4)
       RETURNING id, display_name AS "displayName", programme, care_team_id AS "careTeamId", time_zone AS "timeZone"`,
      [patient.displayName, patient.programme, patient.careTeamId, patient.timeZone],
    );
    return created;
  }

  /**
   * The caller's patients, most in need of attention first: unacknowledged urgent alerts, then warnings,
   * then follow-up risk tier, then the most overdue contact. One query, so a page of the list is one round trip;
   * every row carries the total.
   */
  worklistPage(userId: string, limit: number, offset: number): Promise<WorklistRow[]> {
    return this.dataSource.query(
      `SELECT p.id, p.display_name, p.programme, p.care_team_id, p.time_zone,
              coalesce(a.urgent, 0)::int AS urgent, coalesce(a.warning, 0)::int AS warning, coalesce(a.info, 0)::int AS info,
              a.last_alert_at, f.tier, f.interval_days, f.next_due_at, count(*) OVER ()::int AS total
         FROM patients p
         ${CareTeamScope.join('p', '$1')}
         LEFT JOIN LATERAL (
           SELECT count(*) FILTER (WHERE severity = 'urgent' AND status = 'open') AS urgent,
                  count(*) FILTER (WHERE severity = 'warning' AND status = 'open') AS warning,
                  count(*) FILTER (WHERE severity = 'info' AND status = 'open') AS info,
                  max(opened_at) AS last_alert_at
             FROM alerts WHERE patient_id = p.id
         ) a ON true
         LEFT JOIN follow_up_plans f ON f.patient_id = p.id
        ORDER BY urgent DESC, warning DESC,
                 CASE f.tier WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END,
                 f.next_due_at ASC NULLS LAST, lower(p.display_name), p.id
        LIMIT $2 OFFSET $3`,
      [userId, limit, offset],
    );
  }
}
