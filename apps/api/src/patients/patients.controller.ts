import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import {
  alertsPageResponseSchema,
  alertsQuerySchema,
  pageQuerySchema,
  patientSchema,
  readingsQuerySchema,
  readingsResponseSchema,
  worklistResponseSchema,
  type AlertsQuery,
  type NormalizedReading,
  type PageQuery,
  type ReadingsQuery,
  type WorklistPatient,
} from '@rpm/contracts';
import { AlertRepository, PatientRepository, type AlertEntity, type PatientEntity } from '@rpm/persistence';
import { READING_STORE } from '@rpm/platform';
import type { ReadingStore } from '@rpm/timeseries';
import { z } from 'zod';
import { AuditLog } from '../audit/audit-log';
import { CurrentUser, RequestId, type AuthenticatedUser } from '../auth/current-user';
import { PatientRoute } from './patient-route.decorator';
import { PatientWorklist } from './patient-worklist';
import { RespondsWith } from '../http/responds-with.decorator';

const patientIdSchema = z.uuid();
const DEFAULT_RANGE_MS = 7 * 24 * 3600 * 1000;

@Controller('patients')
export class PatientsController {
  constructor(
    @Inject(PatientRepository) private readonly patients: PatientRepository,
    @Inject(AlertRepository) private readonly alerts: AlertRepository,
    @Inject(READING_STORE) private readonly readings: ReadingStore,
    private readonly audit: AuditLog,
    private readonly worklist: PatientWorklist,
  ) {}

  /** The caller's patients, most in need of attention first (open urgent alerts, warnings, follow-up risk, overdue). */
  @Get()
  @RespondsWith(200, worklistResponseSchema)
  async list(
    @CurrentUser() user: AuthenticatedUser,
    @RequestId() requestId: string,
    @Query({ schema: pageQuerySchema }) page: PageQuery,
  ): Promise<{ patients: WorklistPatient[]; page: PageQuery & { total: number } }> {
    await this.audit.record({ userId: user.id, action: 'patients.list', patientId: null, outcome: 'allowed', requestId });
    return this.worklist.page(user.id, page);
  }

  @Get(':patientId')
  @PatientRoute('patients.get')
  @RespondsWith(200, patientSchema)
  async get(@Param('patientId', { schema: patientIdSchema }) patientId: string): Promise<PatientEntity> {
    return this.patients.get(patientId);
  }

  @Get(':patientId/readings')
  @PatientRoute('patients.readings')
  @RespondsWith(200, readingsResponseSchema)
  async readingsOf(
    @Param('patientId', { schema: patientIdSchema }) patientId: string,
    @Query({ schema: readingsQuerySchema }) query: ReadingsQuery,
  ): Promise<{ readings: NormalizedReading[] }> {
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_RANGE_MS);
    return { readings: await this.readings.query({ patientId, metric: query.metric, from, to, limit: query.limit }) };
  }

  @Get(':patientId/alerts')
  @PatientRoute('patients.alerts')
  @RespondsWith(200, alertsPageResponseSchema)
  async alertsOf(
    @Param('patientId', { schema: patientIdSchema }) patientId: string,
    @Query({ schema: alertsQuerySchema }) query: AlertsQuery,
  ): Promise<{ alerts: AlertEntity[]; page: PageQuery & { total: number } }> {
    const { alerts, total } = await this.alerts.pageOfPatient(patientId, query);
    return { alerts, page: { limit: query.limit, offset: query.offset, total } };
  }
}
