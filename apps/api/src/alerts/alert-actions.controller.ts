import { Body, Controller, HttpCode, Inject, NotFoundException, Param, Post } from '@nestjs/common';
import {
  resolveAlertRequestSchema,
  snoozeAlertRequestSchema,
  type ResolveAlertRequest,
  type SnoozeAlertRequest,
} from '@rpm/contracts';
import { AlertEntity } from '@rpm/persistence';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { CurrentUser, type AuthenticatedUser } from '../auth/current-user';
import { PatientRoute } from '../patients/patient-route.decorator';

const uuid = z.uuid();

/**
 * A clinician acknowledges (stops escalation), snoozes (quiet until a time, then open again) or resolves
 * an alert of one of their patients. Acting on one alert never touches another.
 */
@Controller('patients/:patientId/alerts/:alertId')
export class AlertActionsController {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  @Post('acknowledge')
  @HttpCode(200)
  @PatientRoute('alerts.acknowledge')
  async acknowledge(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Param('alertId', { schema: uuid }) alertId: string,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<AlertEntity> {
    return this.transition(patientId, alertId, `status = 'acknowledged', acknowledged_at = now(), acknowledged_by = $3, snoozed_until = NULL`, [user.id], ['open', 'snoozed']);
  }

  @Post('snooze')
  @HttpCode(200)
  @PatientRoute('alerts.snooze')
  async snooze(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Param('alertId', { schema: uuid }) alertId: string,
    @Body({ schema: snoozeAlertRequestSchema }) body: SnoozeAlertRequest,
  ): Promise<AlertEntity> {
    return this.transition(patientId, alertId, `status = 'snoozed', snoozed_until = now() + make_interval(mins => $3)`, [body.minutes], ['open', 'acknowledged', 'snoozed']);
  }

  @Post('resolve')
  @HttpCode(200)
  @PatientRoute('alerts.resolve')
  async resolve(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Param('alertId', { schema: uuid }) alertId: string,
    @Body({ schema: resolveAlertRequestSchema }) body: ResolveAlertRequest,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<AlertEntity> {
    return this.transition(
      patientId,
      alertId,
      `status = 'resolved', resolved_at = now(), resolved_by = $3, resolution = $4`,
      [user.id, body.note ?? 'resolved by clinician'],
      ['open', 'acknowledged', 'snoozed'],
    );
  }

  private async transition(patientId: string, alertId: string, set: string, params: unknown[], from: string[]): Promise<AlertEntity> {
    const repository = this.dataSource.getRepository(AlertEntity);
    const alert = await repository.findOneBy({ id: alertId, patientId });
    if (!alert) throw new NotFoundException('alert not found');
    if (from.includes(alert.status)) {
      await this.dataSource.query(`UPDATE alerts SET ${set} WHERE id = $1 AND patient_id = $2`, [alertId, patientId, ...params]);
    }
    return repository.findOneByOrFail({ id: alertId });
  }
}
