import { Body, Controller, Get, Inject, NotFoundException, Param, Patch, Post, Query } from '@nestjs/common';
import {
  createVisitRequestSchema,
  pageQuerySchema,
  updateVisitRequestSchema,
  type CreateVisitRequest,
  type PageQuery,
  type UpdateVisitRequest,
} from '@rpm/contracts';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { CurrentUser, type AuthenticatedUser } from '../auth/current-user';
import { PatientRoute } from '../patients/patient-route.decorator';

const uuid = z.uuid();
const COLUMNS = `id, occurred_at AS "occurredAt", type, clinician_id AS "clinicianId", notes, outcome, created_at AS "createdAt"`;

/** The visit history beside the readings: who saw the patient, when, how, and what came of it. */
@Controller('patients/:patientId/visits')
export class VisitsController {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  @Get()
  @PatientRoute('visits.list')
  async list(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Query({ schema: pageQuerySchema }) page: PageQuery,
  ) {
    const [visits, [{ total }]] = await Promise.all([
      this.dataSource.query(`SELECT ${COLUMNS} FROM visits WHERE patient_id = $1 ORDER BY occurred_at DESC LIMIT $2 OFFSET $3`, [patientId, page.limit, page.offset]),
      this.dataSource.query('SELECT count(*)::int AS total FROM visits WHERE patient_id = $1', [patientId]),
    ]);
    return { visits, page: { limit: page.limit, offset: page.offset, total } };
  }

  /** The clinician is the caller: a client cannot record a visit in someone else's name. */
  @Post()
  @PatientRoute('visits.create')
  async create(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Body({ schema: createVisitRequestSchema }) body: CreateVisitRequest,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    const [visit] = await this.dataSource.query(
      `INSERT INTO visits (patient_id, occurred_at, type, clinician_id, notes, outcome) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [patientId, body.occurredAt, body.type, user.id, body.notes ?? null, body.outcome ?? null],
    );
    return visit;
  }

  @Patch(':visitId')
  @PatientRoute('visits.update')
  async update(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Param('visitId', { schema: uuid }) visitId: string,
    @Body({ schema: updateVisitRequestSchema }) body: UpdateVisitRequest,
  ) {
    const [visit] = await this.dataSource.query(
      // As a CTE the statement is a SELECT, so TypeORM returns the rows rather than [rows, count].
      `WITH updated AS (
         UPDATE visits SET occurred_at = COALESCE($3, occurred_at), type = COALESCE($4, type), notes = COALESCE($5, notes), outcome = COALESCE($6, outcome)
          WHERE id = $1 AND patient_id = $2 RETURNING *)
       SELECT ${COLUMNS} FROM updated`,
      [visitId, patientId, body.occurredAt ?? null, body.type ?? null, body.notes ?? null, body.outcome ?? null],
    );
    if (!visit) throw new NotFoundException('visit not found');
    return visit;
  }
}
