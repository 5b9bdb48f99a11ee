import { Body, Controller, Get, Inject, Param, Post } from '@nestjs/common';
import { CLOCK, pathwayTemplate, questionnaire, questionnairesDue, systemClock, type Clock } from '@rpm/clinical';
import { patientQuestionnairesSchema, questionnaireAnswerRequestSchema, questionnaireRecordedSchema, type QuestionnaireAnswerRequest } from '@rpm/contracts';
import { FollowUpPlanRepository, QuestionnaireResponseRepository } from '@rpm/persistence';
import { z } from 'zod';
import { CurrentUser, type AuthenticatedUser } from '../auth/current-user';
import { RespondsWith } from '../http/responds-with.decorator';
import { PatientRoute } from './patient-route.decorator';
import { QuestionnaireAnswering, questionnaireResponseView as view } from './questionnaire-answering';

const uuid = z.uuid();
const RECENT = 20;

/**
 * Patient-reported outcomes (docs/questionnaires.md): the questionnaires the patient's pathway asks and when
 * each is due, and responses entered by a clinician (the patient answers on their own page: patient-page.controller.ts). Answers go the one
 * path of QuestionnaireAnswering: scored by the pure definitions in @rpm/clinical, alerts recorded with the response.
 */
@Controller('patients/:patientId/questionnaires')
export class QuestionnairesController {
  constructor(
    @Inject(QuestionnaireResponseRepository) private readonly responses: QuestionnaireResponseRepository,
    @Inject(FollowUpPlanRepository) private readonly plans: FollowUpPlanRepository,
    private readonly answering: QuestionnaireAnswering,
    @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  @Get()
  @PatientRoute('questionnaires.list')
  @RespondsWith(200, patientQuestionnairesSchema)
  async list(@Param('patientId', { schema: uuid }) patientId: string) {
    const [plan, lastAnswered, recent, open] = await Promise.all([
      this.plans.plan(patientId),
      this.responses.lastAnswered(patientId),
      this.responses.recent(patientId, RECENT),
      this.responses.openAssignments(patientId, this.clock.now()),
    ]);
    const template = plan ? pathwayTemplate(plan.pathway, plan.pathwayVersion) : undefined;
    const assigned = questionnairesDue(template, lastAnswered, plan ? new Date(plan.enrolledAt) : this.clock.now(), this.clock.now()).map((due) => ({
      ...due,
      title: questionnaire(due.instrument)?.title ?? due.instrument,
    }));
    return {
      pathway: plan?.pathway ?? null,
      assigned,
      open: open.map((survey) => ({ ...survey, title: questionnaire(survey.instrument)?.title ?? survey.instrument })),
      recent: recent.map(view),
    };
  }

  @Post(':instrument/responses')
  @PatientRoute('questionnaires.answer')
  @RespondsWith(201, questionnaireRecordedSchema)
  async answer(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Param('instrument') instrument: string,
    @Body({ schema: questionnaireAnswerRequestSchema }) body: QuestionnaireAnswerRequest,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    return this.answering.answer(patientId, instrument, body, { enteredBy: user.id, source: 'clinician' });
  }
}
