import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { alertsQuerySchema, readingsQuerySchema, type NormalizedReading, type ReadingsQuery } from '@rpm/contracts';
import { AlertEntity, PatientEntity } from '@rpm/persistence';
import { READING_STORE } from '@rpm/platform';
import type { ReadingStore } from '@rpm/timeseries';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { AuditLog } from '../audit/audit-log';
import { CurrentUser, RequestId, type AuthenticatedUser } from '../auth/current-user';
import { PatientRoute } from './patient-route.decorator';

const patientIdSchema = z.uuid();
const DEFAULT_RANGE_MS = 7 * 24 * 3600 * 1000;

@Controller('patients')
export class PatientsController {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(READING_STORE) private readonly readings: ReadingStore,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  async list(@CurrentUser() user: AuthenticatedUser, @RequestId() requestId: string): Promise<PatientEntity[]> {
    await this.audit.record({ userId: user.id, action: 'patients.list', patientId: null, outcome: 'allowed', requestId });
    return this.dataSource
      .getRepository(PatientEntity)
      .createQueryBuilder('patient')
      .innerJoin('care_team_members', 'member', 'member.care_team_id = patient.care_team_id AND member.user_id = :userId', { userId: user.id })
      .orderBy('patient.display_name')
      .getMany();
  }

  @Get(':patientId')
  @PatientRoute('patients.get')
  async get(
    @Param('patientId', { schema: patientIdSchema }) patientId: string,
  ): Promise<PatientEntity> {
    return this.dataSource.getRepository(PatientEntity).findOneByOrFail({ id: patientId });
  }

  @Get(':patientId/readings')
  @PatientRoute('patients.readings')
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
  async alertsOf(
    @Param('patientId', { schema: patientIdSchema }) patientId: string,
    @Query({ schema: alertsQuerySchema }) query: z.infer<typeof alertsQuerySchema>,
  ): Promise<{ alerts: AlertEntity[] }> {
    const alerts = await this.dataSource.getRepository(AlertEntity).find({
      where: query.status ? { patientId, status: query.status } : { patientId },
      order: { openedAt: 'DESC' },
      take: 500,
    });
    return { alerts };
  }
}
