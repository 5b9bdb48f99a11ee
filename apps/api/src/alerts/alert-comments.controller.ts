import { Body, Controller, Get, Inject, NotFoundException, Param, Post } from '@nestjs/common';
import { alertCommentRequestSchema, alertCommentSchema, alertCommentsResponseSchema, type AlertCommentRequest } from '@rpm/contracts';
import { AlertRepository, type AlertCommentRow } from '@rpm/persistence';
import { z } from 'zod';
import { CurrentUser, type AuthenticatedUser } from '../auth/current-user';
import { PatientRoute } from '../patients/patient-route.decorator';
import { RespondsWith } from '../http/responds-with.decorator';

const uuid = z.uuid();

/** The care team's notes on one alert: what was done about it, in time order; the author is always the caller. */
@Controller('patients/:patientId/alerts/:alertId/comments')
export class AlertCommentsController {
  constructor(@Inject(AlertRepository) private readonly alerts: AlertRepository) {}

  @Get()
  @PatientRoute('alerts.comments_list')
  @RespondsWith(200, alertCommentsResponseSchema)
  async list(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Param('alertId', { schema: uuid }) alertId: string,
  ): Promise<{ comments: AlertCommentRow[] }> {
    await this.alertOf(patientId, alertId);
    return { comments: await this.alerts.comments(alertId) };
  }

  @Post()
  @PatientRoute('alerts.comment')
  @RespondsWith(201, alertCommentSchema)
  async create(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Param('alertId', { schema: uuid }) alertId: string,
    @Body({ schema: alertCommentRequestSchema }) body: AlertCommentRequest,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<AlertCommentRow> {
    await this.alertOf(patientId, alertId);
    return this.alerts.addComment(alertId, user.id, body.text);
  }

  private async alertOf(patientId: string, alertId: string): Promise<void> {
    if (!(await this.alerts.existsForPatient(patientId, alertId))) throw new NotFoundException('alert not found');
  }
}
