import { Body, Controller, Get, Inject, NotFoundException, Param, Post } from '@nestjs/common';
import { alertCommentRequestSchema, type AlertCommentRequest } from '@rpm/contracts';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { CurrentUser, type AuthenticatedUser } from '../auth/current-user';
import { PatientRoute } from '../patients/patient-route.decorator';

const uuid = z.uuid();
const COLUMNS = `c.id, c.text, c.created_at AS "createdAt", c.author_id AS "authorId", u.display_name AS "authorName"`;

interface AlertComment {
  id: string;
  text: string;
  createdAt: Date;
  authorId: string;
  authorName: string;
}

/** The care team's notes on one alert: what was done about it, in time order; the author is always the caller. */
@Controller('patients/:patientId/alerts/:alertId/comments')
export class AlertCommentsController {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  @Get()
  @PatientRoute('alerts.comments_list')
  async list(@Param('patientId', { schema: uuid }) patientId: string, @Param('alertId', { schema: uuid }) alertId: string): Promise<{ comments: AlertComment[] }> {
    await this.alertOf(patientId, alertId);
    const comments: AlertComment[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM alert_comments c JOIN users u ON u.id = c.author_id WHERE c.alert_id = $1 ORDER BY c.created_at, c.id LIMIT 1000`,
      [alertId],
    );
    return { comments };
  }

  @Post()
  @PatientRoute('alerts.comment')
  async create(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Param('alertId', { schema: uuid }) alertId: string,
    @Body({ schema: alertCommentRequestSchema }) body: AlertCommentRequest,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<AlertComment> {
    await this.alertOf(patientId, alertId);
    const [comment]: AlertComment[] = await this.dataSource.query(
      `WITH inserted AS (INSERT INTO alert_comments (alert_id, author_id, text) VALUES ($1, $2, $3) RETURNING *)
       SELECT ${COLUMNS} FROM inserted c JOIN users u ON u.id = c.author_id`,
      [alertId, user.id, body.text],
    );
    return comment;
  }

  private async alertOf(patientId: string, alertId: string): Promise<void> {
    const found: unknown[] = await this.dataSource.query('SELECT 1 FROM alerts WHERE id = $1 AND patient_id = $2', [alertId, patientId]);
    if (found.length === 0) throw new NotFoundException('alert not found');
  }
}
