import { Body, Controller, Get, Inject, NotFoundException, Param, Patch, Post, Query } from '@nestjs/common';
import {
  createVisitRequestSchema,
  pageQuerySchema,
  updateVisitRequestSchema,
  visitSchema,
  visitsPageResponseSchema,
  type CreateVisitRequest,
  type PageQuery,
  type UpdateVisitRequest,
} from '@rpm/contracts';
import { CLOCK, type Clock } from '@rpm/clinical';
import { VisitRepository } from '@rpm/persistence';
import { z } from 'zod';
import { CurrentUser, type AuthenticatedUser } from '../auth/current-user';
import { PatientRoute } from '../patients/patient-route.decorator';
import { RespondsWith } from '../http/responds-with.decorator';

const uuid = z.uuid();

/** The visit history beside the readings: who saw the patient, when, how, and what came of it. */
@Controller('patients/:patientId/visits')
export class VisitsController {
  constructor(
    @Inject(VisitRepository) private readonly visits: VisitRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @PatientRoute('visits.list')
  @RespondsWith(200, visitsPageResponseSchema)
  async list(@Param('patientId', { schema: uuid }) patientId: string, @Query({ schema: pageQuerySchema }) page: PageQuery) {
    const { visits, total } = await this.visits.page(patientId, page.limit, page.offset);
    return { visits, page: { limit: page.limit, offset: page.offset, total } };
  }

  /**
   * The clinician is the caller: a client cannot record a visit in someone else's name. A contact that
   * happened completes the due follow-up; a future date is recorded as an appointment, not history.
   */
  @Post()
  @PatientRoute('visits.create')
  @RespondsWith(201, visitSchema)
  async create(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Body({ schema: createVisitRequestSchema }) body: CreateVisitRequest,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    return this.visits.create(patientId, user.id, body, this.clock.now());
  }

  @Patch(':visitId')
  @PatientRoute('visits.update')
  @RespondsWith(200, visitSchema)
  async update(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Param('visitId', { schema: uuid }) visitId: string,
    @Body({ schema: updateVisitRequestSchema }) body: UpdateVisitRequest,
  ) {
    const visit = await this.visits.update(patientId, visitId, body);
    if (!visit) throw new NotFoundException('visit not found');
    return visit;
  }
}
