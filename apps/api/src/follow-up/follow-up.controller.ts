import { Body, ConflictException, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post } from '@nestjs/common';
import { followUpStatus, initialPlan } from '@rpm/clinical';
import {
  enrolFollowUpRequestSchema,
  overrideFollowUpRequestSchema,
  type EnrolFollowUpRequest,
  type OverrideFollowUpRequest,
} from '@rpm/contracts';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { CurrentUser, type AuthenticatedUser } from '../auth/current-user';
import { PatientRoute } from '../patients/patient-route.decorator';

const uuid = z.uuid();
const changeId = z.coerce.number().int().positive();

/**
 * A patient's follow-up plan: enrol on a pathway, see the plan with its status and every proposed change,
 * and confirm or override a change (an override sets the interval and the next contact from today).
 */
@Controller('patients/:patientId/follow-up')
export class FollowUpController {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  @Post()
  @PatientRoute('follow_up.enrol')
  async enrol(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Body({ schema: enrolFollowUpRequestSchema }) body: EnrolFollowUpRequest,
  ) {
    const now = new Date();
    const plan = initialPlan(body.pathway, now);
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO follow_up_plans (patient_id, pathway, tier, interval_days, step, next_due_at, enrolled_at)
       VALUES ($1, $2, $3, $4, 0, $5, $6) ON CONFLICT (patient_id) DO NOTHING RETURNING patient_id`,
      [patientId, plan.pathway, plan.tier, plan.intervalDays, plan.nextDueAt, now],
    );
    if (inserted.length === 0) throw new ConflictException('the patient already has a follow-up plan');
    return this.view(patientId);
  }

  @Get()
  @PatientRoute('follow_up.get')
  async get(@Param('patientId', { schema: uuid }) patientId: string,) {
    return this.view(patientId);
  }

  @Post('changes/:changeId/confirm')
  @HttpCode(200)
  @PatientRoute('follow_up.confirm')
  async confirm(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Param('changeId', { schema: changeId }) id: number,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    await this.decide(patientId, id, 'confirmed', user.id);
    return this.view(patientId);
  }

  @Post('changes/:changeId/override')
  @HttpCode(200)
  @PatientRoute('follow_up.override')
  async override(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Param('changeId', { schema: changeId }) id: number,
    @Body({ schema: overrideFollowUpRequestSchema }) body: OverrideFollowUpRequest,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    await this.dataSource.transaction(async (manager) => {
      await this.decide(patientId, id, 'overridden', user.id);
      await manager.query(
        `UPDATE follow_up_plans SET interval_days = $2, next_due_at = now() + make_interval(days => $2), stable_reviews = 0, updated_at = now()
          WHERE patient_id = $1`,
        [patientId, body.intervalDays],
      );
    });
    return this.view(patientId);
  }

  private async decide(patientId: string, id: number, status: 'confirmed' | 'overridden', userId: string): Promise<void> {
    const updated: unknown[] = await this.dataSource.query(
      `WITH decided AS (
         UPDATE follow_up_changes SET status = $3, decided_by = $4, decided_at = now()
          WHERE id = $1 AND patient_id = $2 AND status = 'proposed' RETURNING id)
       SELECT id FROM decided`,
      [id, patientId, status, userId],
    );
    if (updated.length === 0) throw new NotFoundException('no proposed change with that id');
  }

  private async view(patientId: string) {
    const [plan] = await this.dataSource.query(
      `SELECT pathway, tier, interval_days AS "intervalDays", next_due_at AS "nextDueAt", enrolled_at AS "enrolledAt", last_reviewed_at AS "lastReviewedAt"
         FROM follow_up_plans WHERE patient_id = $1`,
      [patientId],
    );
    if (!plan) throw new NotFoundException('the patient has no follow-up plan');
    const [visit] = await this.dataSource.query('SELECT max(occurred_at) AS last FROM visits WHERE patient_id = $1', [patientId]);
    const changes = await this.dataSource.query(
      `SELECT id::int, kind, from_interval_days AS "fromIntervalDays", to_interval_days AS "toIntervalDays", next_due_at AS "nextDueAt",
              reason, status, decided_by AS "decidedBy", decided_at AS "decidedAt", created_at AS "createdAt"
         FROM follow_up_changes WHERE patient_id = $1 ORDER BY id DESC LIMIT 50`,
      [patientId],
    );
    const status = followUpStatus(new Date(plan.nextDueAt), visit?.last ? new Date(visit.last) : null, new Date(), new Date(plan.enrolledAt));
    return { plan: { ...plan, status }, changes };
  }
}
