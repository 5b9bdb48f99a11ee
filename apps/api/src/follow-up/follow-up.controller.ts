import { Body, ConflictException, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post } from '@nestjs/common';
import { followUpStatus, initialPlan } from '@rpm/clinical';
import {
  enrolFollowUpRequestSchema,
  followUpResponseSchema,
  overrideFollowUpRequestSchema,
  type EnrolFollowUpRequest,
  type OverrideFollowUpRequest,
} from '@rpm/contracts';
import { FollowUpPlanRepository, VisitRepository } from '@rpm/persistence';
import { z } from 'zod';
import { CurrentUser, type AuthenticatedUser } from '../auth/current-user';
import { PatientRoute } from '../patients/patient-route.decorator';
import { RespondsWith } from '../http/responds-with.decorator';

const uuid = z.uuid();
const changeId = z.coerce.number().int().positive();
const noSuchChange = () => new NotFoundException('no proposed change with that id');

/**
 * A patient's follow-up plan: enrol on a pathway, see the plan with its status and every proposed change,
 * and confirm or override a change (an override sets the interval and the next contact from today).
 */
@Controller('patients/:patientId/follow-up')
export class FollowUpController {
  constructor(
    @Inject(FollowUpPlanRepository) private readonly plans: FollowUpPlanRepository,
    @Inject(VisitRepository) private readonly visits: VisitRepository,
  ) {}

  @Post()
  @PatientRoute('follow_up.enrol')
  @RespondsWith(201, followUpResponseSchema)
  async enrol(@Param('patientId', { schema: uuid }) patientId: string, @Body({ schema: enrolFollowUpRequestSchema }) body: EnrolFollowUpRequest) {
    const now = new Date();
    const plan = initialPlan(body.pathway, now);
    if (!(await this.plans.enrol(patientId, plan, now))) throw new ConflictException('the patient already has a follow-up plan');
    return this.view(patientId);
  }

  @Get()
  @PatientRoute('follow_up.get')
  @RespondsWith(200, followUpResponseSchema)
  async get(@Param('patientId', { schema: uuid }) patientId: string) {
    return this.view(patientId);
  }

  @Post('changes/:changeId/confirm')
  @HttpCode(200)
  @PatientRoute('follow_up.confirm')
  @RespondsWith(200, followUpResponseSchema)
  async confirm(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Param('changeId', { schema: changeId }) id: number,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    if (!(await this.plans.confirm(patientId, id, user.id))) throw noSuchChange();
    return this.view(patientId);
  }

  @Post('changes/:changeId/override')
  @HttpCode(200)
  @PatientRoute('follow_up.override')
  @RespondsWith(200, followUpResponseSchema)
  async override(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Param('changeId', { schema: changeId }) id: number,
    @Body({ schema: overrideFollowUpRequestSchema }) body: OverrideFollowUpRequest,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    if (!(await this.plans.override(patientId, id, user.id, body.intervalDays))) throw noSuchChange();
    return this.view(patientId);
  }

  private async view(patientId: string) {
    const plan = await this.plans.plan(patientId);
    if (!plan) throw new NotFoundException('the patient has no follow-up plan');
    const [lastVisit, changes] = await Promise.all([this.visits.lastVisitAt(patientId), this.plans.changes(patientId)]);
    const status = followUpStatus(new Date(plan.nextDueAt), lastVisit, new Date(), new Date(plan.enrolledAt));
    return { plan: { ...plan, status }, changes };
  }
}
