import type { DataSource } from 'typeorm';

/** A visit as the API shows it. */
export interface VisitRow {
  id: string;
  occurredAt: Date;
  type: string;
  clinicianId: string;
  notes: string | null;
  outcome: string | null;
  createdAt: Date;
}

export interface VisitChanges {
  occurredAt?: string;
  type?: string;
  notes?: string;
  outcome?: string;
}

const COLUMNS = `id, occurred_at AS "occurredAt", type, clinician_id AS "clinicianId", notes, outcome, created_at AS "createdAt"`;

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

  async create(patientId: string, clinicianId: string, visit: VisitChanges & { occurredAt: string; type: string }): Promise<VisitRow> {
    const [created] = await this.dataSource.query(
      `INSERT INTO visits (patient_id, occurred_at, type, clinician_id, notes, outcome) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [patientId, visit.occurredAt, visit.type, clinicianId, visit.notes ?? null, visit.outcome ?? null],
    );
    return created;
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
    return this.dataSource.query('SELECT id, occurred_at, type, outcome FROM visits WHERE patient_id = $1 AND occurred_at >= $2 AND occurred_at < $3', [
      patientId,
      from,
      to,
    ]);
  }

  async lastVisitAt(patientId: string): Promise<Date | null> {
    const [visit] = await this.dataSource.query('SELECT max(occurred_at) AS last FROM visits WHERE patient_id = $1', [patientId]);
    return visit?.last ? new Date(visit.last) : null;
  }
}
