import { Body, ConflictException, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, UnprocessableEntityException } from '@nestjs/common';
import { CLOCK, type Clock } from '@rpm/clinical';
import {
  completeFollowUpTaskRequestSchema,
  createFollowUpTaskRequestSchema,
  followUpTaskSchema,
  followUpTasksResponseSchema,
  taskDiscipline,
  type CompleteFollowUpTaskRequest,
  type CreateFollowUpTaskRequest,
} from '@rpm/contracts';
import { FollowUpTaskError, FollowUpTaskRepository } from '@rpm/persistence';
import { z } from 'zod';
import { CurrentUser, type AuthenticatedUser } from '../auth/current-user';
import { RespondsWith } from '../http/responds-with.decorator';
import { PatientRoute } from '../patients/patient-route.decorator';

const uuid = z.uuid();

function asHttp(error: unknown): never {
  if (error instanceof FollowUpTaskError) {
    switch (error.code) {
      case 'no_task':
        throw new NotFoundException(error.message);
      case 'already_closed':
        throw new ConflictException(error.message);
      case 'assignee_not_eligible':
        throw new UnprocessableEntityException(error.message);
    }
  }
  throw error;
}

/**
 * The multidisciplinary team's tasks for a patient (a dietitian's nutrition review, a psychologist's PHQ-9
 * follow-up): created by any member of the care team, for a member of the task's discipline, and closed
 * with an outcome. Scoped to the caller's patients and audit-logged by @PatientRoute.
 */
@Controller('patients/:patientId/follow-up/tasks')
export class FollowUpTasksController {
  constructor(
    @Inject(FollowUpTaskRepository) private readonly tasks: FollowUpTaskRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @PatientRoute('follow_up.tasks.create')
  @RespondsWith(201, followUpTaskSchema)
  create(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Body({ schema: createFollowUpTaskRequestSchema }) body: CreateFollowUpTaskRequest,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    return this.tasks
      .create(
        patientId,
        { kind: body.kind, discipline: taskDiscipline(body.kind), dueAt: new Date(body.dueAt), assignedTo: body.assignedTo ?? null, reason: body.reason },
        user.id,
        this.clock.now(),
      )
      .catch(asHttp);
  }

  @Get()
  @PatientRoute('follow_up.tasks.list')
  @RespondsWith(200, followUpTasksResponseSchema)
  async list(@Param('patientId', { schema: uuid }) patientId: string) {
    return { items: await this.tasks.list(patientId) };
  }

  @Post(':taskId/complete')
  @HttpCode(200)
  @PatientRoute('follow_up.tasks.complete')
  @RespondsWith(200, followUpTaskSchema)
  complete(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Param('taskId', { schema: uuid }) taskId: string,
    @Body({ schema: completeFollowUpTaskRequestSchema }) body: CompleteFollowUpTaskRequest,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    return this.tasks.complete(patientId, taskId, body.status, body.outcome, user.id, this.clock.now()).catch(asHttp);
  }
}
