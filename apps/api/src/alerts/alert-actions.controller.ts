import { Body, Controller, HttpCode, Inject, NotFoundException, Param, Post } from '@nestjs/common';
import { alertSchema, resolveAlertRequestSchema, snoozeAlertRequestSchema, type ResolveAlertRequest, type SnoozeAlertRequest } from '@rpm/contracts';
import { AlertRepository, type AlertEntity } from '@rpm/persistence';
import { z } from 'zod';
import { CurrentUser, type AuthenticatedUser } from '../auth/current-user';
import { PatientRoute } from '../patients/patient-route.decorator';
import { RespondsWith } from '../http/responds-with.decorator';

const uuid = z.uuid();

const found = (alert: AlertEntity | null): AlertEntity => {
  if (!alert) throw new NotFoundException('alert not found');
  return alert;
};

/**
 * A clinician acknowledges (stops escalation), snoozes (quiet until a time, then open again) or resolves
 * an alert of one of their patients. Acting on one alert never touches another.
 */
@Controller('patients/:patientId/alerts/:alertId')
export class AlertActionsController {
  constructor(@Inject(AlertRepository) private readonly alerts: AlertRepository) {}

  @Post('acknowledge')
  @HttpCode(200)
  @PatientRoute('alerts.acknowledge')
  @RespondsWith(200, alertSchema)
  async acknowledge(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Param('alertId', { schema: uuid }) alertId: string,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<AlertEntity> {
    return found(await this.alerts.acknowledge(patientId, alertId, user.id));
  }

  @Post('snooze')
  @HttpCode(200)
  @PatientRoute('alerts.snooze')
  @RespondsWith(200, alertSchema)
  async snooze(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Param('alertId', { schema: uuid }) alertId: string,
    @Body({ schema: snoozeAlertRequestSchema }) body: SnoozeAlertRequest,
  ): Promise<AlertEntity> {
    return found(await this.alerts.snooze(patientId, alertId, body.minutes));
  }

  @Post('resolve')
  @HttpCode(200)
  @PatientRoute('alerts.resolve')
  @RespondsWith(200, alertSchema)
  async resolve(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Param('alertId', { schema: uuid }) alertId: string,
    @Body({ schema: resolveAlertRequestSchema }) body: ResolveAlertRequest,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<AlertEntity> {
    return found(await this.alerts.resolve(patientId, alertId, user.id, body.note ?? 'resolved by clinician'));
  }
}
