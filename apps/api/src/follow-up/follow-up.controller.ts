import { Body, ConflictException, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Put, UnprocessableEntityException } from '@nestjs/common';
import { CLOCK, systemClock, type Clock } from '@rpm/clinical';
import {
  callAttemptRequestSchema,
  enrolFollowUpRequestSchema,
  escalateFollowUpRequestSchema,
  followUpResponseSchema,
  overrideFollowUpRequestSchema,
  setFollowUpRequestSchema,
  type CallAttemptRequest,
  type EnrolFollowUpRequest,
  type EscalateFollowUpRequest,
  type OverrideFollowUpRequest,
  type SetFollowUpRequest,
} from '@rpm/contracts';
import { FollowUpError, FollowUpPlanRepository } from '@rpm/persistence';
import { z } from 'zod';
import { CurrentUser, type AuthenticatedUser } from '../auth/current-user';
import { PatientRoute } from '../patients/patient-route.decorator';
import { RespondsWith } from '../http/responds-with.decorator';

const uuid = z.uuid();
const changeId = z.coerce.number().int().positive();

/** The follow-up centre's domain errors as HTTP. */
function asHttp(error: unknown): never {
  if (error instanceof FollowUpError) {
    switch (error.code) {
      case 'no_plan':
      case 'no_change':
        throw new NotFoundException(error.message);
      case 'already_enrolled':
        throw new ConflictException(error.message);
      case 'unknown_pathway':
        throw new UnprocessableEntityException(error.message);
    }
  }
  throw error;
}

/**
 * A patient's follow-up plan: enrol on a pathway, see the plan with its stored status, latest assessment
 * and every proposed change; confirm or override a change (also one already confirmed); set the pathway,
 * interval, due date or responsible staff member at any time; record call attempts and escalate.
 */
@Controller('patients/:patientId/follow-up')
export class FollowUpController {
  constructor(
    @Inject(FollowUpPlanRepository) private readonly plans: FollowUpPlanRepository,
    @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  @Post()
  @PatientRoute('follow_up.enrol')
  @RespondsWith(201, followUpResponseSchema)
  async enrol(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Body({ schema: enrolFollowUpRequestSchema }) body: EnrolFollowUpRequest,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    const enrolled = await this.plans
      .enrol(
        patientId,
        { pathway: body.pathway, anchorAt: body.anchorAt ? new Date(body.anchorAt) : undefined, assignedTo: body.assignedTo },
        this.clock.now(),
        user.id,
      )
      .catch(asHttp);
    if (!enrolled) throw new ConflictException('the patient already has a follow-up plan');
    return this.view(patientId);
  }

  @Get()
  @PatientRoute('follow_up.get')
  @RespondsWith(200, followUpResponseSchema)
  async get(@Param('patientId', { schema: uuid }) patientId: string) {
    return this.view(patientId);
  }

  /** A clinician's own setting, at any time. */
  @Put()
  @PatientRoute('follow_up.set')
  @RespondsWith(200, followUpResponseSchema)
  async set(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Body({ schema: setFollowUpRequestSchema }) body: SetFollowUpRequest,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    await this.plans
      .setByClinician(
        patientId,
        user.id,
        {
          ...body,
          anchorAt: body.anchorAt ? new Date(body.anchorAt) : undefined,
          nextDueAt: body.nextDueAt ? new Date(body.nextDueAt) : undefined,
        },
        this.clock.now(),
      )
      .catch(asHttp);
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
    await this.plans.confirm(patientId, id, user.id, this.clock.now()).catch(asHttp);
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
    await this.plans.override(patientId, id, user.id, body.intervalDays, this.clock.now(), body.note).catch(asHttp);
    return this.view(patientId);
  }

  /** A call attempt on the worklist; 'reached' is not a contact by itself: the contact is recorded as a visit. */
  @Post('call-attempts')
  @PatientRoute('follow_up.call_attempt')
  @RespondsWith(201, z.object({ attempts: z.number().int() }))
  async callAttempt(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Body({ schema: callAttemptRequestSchema }) body: CallAttemptRequest,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    return this.plans.recordCallAttempt(patientId, user.id, body.outcome, this.clock.now(), body.note).catch(asHttp);
  }

  @Post('escalate')
  @HttpCode(200)
  @PatientRoute('follow_up.escalate')
  @RespondsWith(200, followUpResponseSchema)
  async escalate(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Body({ schema: escalateFollowUpRequestSchema }) body: EscalateFollowUpRequest,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    await this.plans.escalate(patientId, user.id, this.clock.now(), body.reason).catch(asHttp);
    return this.view(patientId);
  }

  private async view(patientId: string) {
    const plan = await this.plans.plan(patientId);
    if (!plan) throw new NotFoundException('the patient has no follow-up plan');
    return { plan, changes: await this.plans.changes(patientId) };
  }
}
