import { SATISFACTION_SURVEY_OPEN_DAYS } from '@rpm/clinical';
import type { DataSource } from 'typeorm';
import { CONTACT_VISIT_TYPES, FollowUpPlanRepository } from './follow-up-plan.repository';

/** A visit as the API shows it. */
export interface VisitRow {
  id: string;
  occurredAt: Date;
  type: string;
  clinicianId: string;
  notes: string | null;
  outcome: string | null;
  /** completed (history), or appointment: a visit dated in the future, which completes nothing yet. */
  status: string;
  purpose: string | null;
  createdAt: Date;
}

export interface VisitChanges {
  occurredAt?: string;
  type?: string;
  notes?: string;
  outcome?: string;
  /** comprehensive_review: the contact also completes the recurring comprehensive review. */
  purpose?: string;
}

const COLUMNS = `id, occurred_at AS "occurredAt", type, clinician_id AS "clinicianId", notes, outcome, status, purpose, created_at AS "createdAt"`;

/** Visits: who saw the patient, when, how, and what came of it. */
export class VisitRepository {
  constructor(private readonly dataSource: DataSource) {}

  async page(patientId: string, limit: number, offset: number): Promise<{ visits: VisitRow[]; total: number }> {
    const [visits, [{ total }]] = await Promise.all([
      this.dataSource.query(`SELECT ${COLUMNS} FROM visits WHERE patient_id = $1 ORDER BY occurred_at DESC LIMIT $2 OFFSET $3`, [patientId, limit, offset]),
      this.dataSource.query('SELECT count(*)::int AS total FROM visits WHERE patient_id = $1', [patientId]),
    ]);
    return { visits, total };
  }

  /**
   * Records a visit. One dated in the future is an appointment, not history; one that happened and is a
   * contact (clinic, telephone, video, home, message) completes the patient's due follow-up in the same
   * transaction, and the next due date comes from it, and gives the patient the satisfaction survey about it.
   */
  async create(patientId: string, clinicianId: string, visit: VisitChanges & { occurredAt: string; type: string }, now: Date = new Date()): Promise<VisitRow> {
    const occurredAt = new Date(visit.occurredAt);
    const status = occurredAt.getTime() > now.getTime() ? 'appointment' : 'completed';
    return this.dataSource.transaction(async (manager) => {
      const [created] = await manager.query(
        `INSERT INTO visits (patient_id, occurred_at, type, clinician_id, notes, outcome, status, purpose) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
        [patientId, visit.occurredAt, visit.type, clinicianId, visit.notes ?? null, visit.outcome ?? null, status, visit.purpose ?? null],
      );
      if (status === 'completed' && (CONTACT_VISIT_TYPES as readonly string[]).includes(visit.type)) {
        await new FollowUpPlanRepository(this.dataSource).recordContactIn(
          manager,
          patientId,
          { at: occurredAt, type: visit.type, comprehensive: visit.purpose === 'comprehensive_review' },
          now,
          clinicianId,
        );
        // The satisfaction survey after the contact (docs/questionnaires.md): one open at a time, the newest
        // contact's; a contact recorded after its survey would have closed gives none.
        const expiresAt = new Date(occurredAt.getTime() + SATISFACTION_SURVEY_OPEN_DAYS * 86_400_000);
        if (expiresAt.getTime() > now.getTime()) {
          await manager.query(
            `UPDATE questionnaire_assignments SET status = 'superseded', closed_at = $2 WHERE patient_id = $1 AND instrument = 'contact_satisfaction' AND status = 'open'`,
            [patientId, now],
          );
          await manager.query(
            `INSERT INTO questionnaire_assignments (patient_id, instrument, assigned_at, expires_at, visit_id, clinician_id) VALUES ($1, 'contact_satisfaction', $2, $3, $4, $5)`,
            [patientId, now, expiresAt, created.id, clinicianId],
          );
        }
      }
      return created;
    });
  }

  /** Changes the fields given; null when the patient has no such visit. */
  async update(patientId: string, visitId: string, changes: VisitChanges): Promise<VisitRow | null> {
    const [visit] = await this.dataSource.query(
      // As a CTE the statement is a SELECT, so TypeORM returns the rows rather than [rows, count].
      `WITH updated AS (
         UPDATE visits SET occurred_at = COALESCE($3, occurred_at), type = COALESCE($4, type), notes = COALESCE($5, notes), outcome = COALESCE($6, outcome)
          WHERE id = $1 AND patient_id = $2 RETURNING *)
       SELECT ${COLUMNS} FROM updated`,
      [visitId, patientId, changes.occurredAt ?? null, changes.type ?? null, changes.notes ?? null, changes.outcome ?? null],
    );
    return visit ?? null;
  }

  /** Visits that occurred in [from, to), for the timeline. */
  between(patientId: string, from: Date, to: Date): Promise<{ id: string; occurred_at: Date; type: string; outcome: string | null }[]> {
    // Appointments included: the timeline shows what is planned beside what happened.
    return this.dataSource.query('SELECT id, occurred_at, type, outcome FROM visits WHERE patient_id = $1 AND occurred_at >= $2 AND occurred_at < $3', [
      patientId,
      from,
      to,
    ]);
  }

  async lastVisitAt(patientId: string): Promise<Date | null> {
    const [visit] = await this.dataSource.query(`SELECT max(occurred_at) AS last FROM visits WHERE patient_id = $1 AND status = 'completed'`, [patientId]);
    return visit?.last ? new Date(visit.last) : null;
  }
}
