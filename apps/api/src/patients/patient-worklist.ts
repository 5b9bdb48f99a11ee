import { Inject, Injectable } from '@nestjs/common';
import type { PageQuery, WorklistPatient } from '@rpm/contracts';
import { DataSource } from 'typeorm';

interface WorklistRow {
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

/**
 * The caller's patients, most in need of attention first: unacknowledged urgent alerts, then warnings,
 * then follow-up risk tier, then the most overdue contact. One query, so a page of the list is one round trip.
 */
@Injectable()
export class PatientWorklist {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async page(userId: string, page: PageQuery): Promise<{ patients: WorklistPatient[]; page: PageQuery & { total: number } }> {
    const rows: WorklistRow[] = await this.dataSource.query(
      `SELECT p.id, p.display_name, p.programme, p.care_team_id, p.time_zone,
              coalesce(a.urgent, 0)::int AS urgent, coalesce(a.warning, 0)::int AS warning, coalesce(a.info, 0)::int AS info,
              a.last_alert_at, f.tier, f.interval_days, f.next_due_at, count(*) OVER ()::int AS total
         FROM patients p
         JOIN care_team_members m ON m.care_team_id = p.care_team_id AND m.user_id = $1
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
      [userId, page.limit, page.offset],
    );
    const now = Date.now();
    return {
      patients: rows.map((row) => ({
        id: row.id,
        displayName: row.display_name,
        programme: row.programme,
        careTeamId: row.care_team_id,
        timeZone: row.time_zone,
        openAlerts: { urgent: row.urgent, warning: row.warning, info: row.info },
        lastAlertAt: row.last_alert_at?.toISOString() ?? null,
        followUp:
          row.tier && row.next_due_at && row.interval_days !== null
            ? { tier: row.tier, intervalDays: row.interval_days, nextDueAt: row.next_due_at.toISOString(), overdue: row.next_due_at.getTime() < now }
            : null,
      })),
      page: { limit: page.limit, offset: page.offset, total: rows[0]?.total ?? (await this.count(userId)) },
    };
  }

  /** Only needed when the page is past the end: the window count comes with every row otherwise. */
  private async count(userId: string): Promise<number> {
    const [{ total }] = await this.dataSource.query(
      'SELECT count(*)::int AS total FROM patients p JOIN care_team_members m ON m.care_team_id = p.care_team_id AND m.user_id = $1',
      [userId],
    );
    return total;
  }
}
