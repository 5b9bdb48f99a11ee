import { BadRequestException, Body, Controller, Get, Inject, NotFoundException, Param, Post } from '@nestjs/common';
import {
  CLOCK,
  answerAlerts,
  checkAnswers,
  pathwayTemplate,
  questionnaire,
  questionnairesDue,
  scoreAnswers,
  systemClock,
  type Answers,
  type Clock,
  type PathwayTemplate,
  type QuestionnaireDefinition,
} from '@rpm/clinical';
import { patientQuestionnairesSchema, questionnaireAnswerRequestSchema, questionnaireRecordedSchema, type QuestionnaireAnswerRequest } from '@rpm/contracts';
import { FollowUpPlanRepository, QuestionnaireResponseRepository, type EpisodeFiring, type QuestionnaireResponseRow } from '@rpm/persistence';
import { z } from 'zod';
import { CurrentUser, type AuthenticatedUser } from '../auth/current-user';
import { RespondsWith } from '../http/responds-with.decorator';
import { PatientRoute } from './patient-route.decorator';

const uuid = z.uuid();
const RECENT = 20;
/** A clinician may enter a paper questionnaire a little after the fact, never one from the future (clock skew aside). */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

const isPostOperative = (template: PathwayTemplate | undefined): boolean => template?.schedule.kind === 'anchored' && template.schedule.anchor === 'surgery';

function view(row: QuestionnaireResponseRow) {
  const definition = questionnaire(row.instrument);
  return { ...row, title: definition?.title ?? row.instrument, maxScore: definition?.maxScore ?? row.total };
}

/**
 * Patient-reported outcomes (docs/questionnaires.md): the questionnaires the patient's pathway asks and when
 * each is due, and responses entered by a clinician (the patient's own page comes later). Answers are scored
 * by the pure definitions in @rpm/clinical; the alerts they call for are recorded with the response.
 */
@Controller('patients/:patientId/questionnaires')
export class QuestionnairesController {
  constructor(
    @Inject(QuestionnaireResponseRepository) private readonly responses: QuestionnaireResponseRepository,
    @Inject(FollowUpPlanRepository) private readonly plans: FollowUpPlanRepository,
    @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  @Get()
  @PatientRoute('questionnaires.list')
  @RespondsWith(200, patientQuestionnairesSchema)
  async list(@Param('patientId', { schema: uuid }) patientId: string) {
    const [plan, lastAnswered, recent] = await Promise.all([
      this.plans.plan(patientId),
      this.responses.lastAnswered(patientId),
      this.responses.recent(patientId, RECENT),
    ]);
    const template = plan ? pathwayTemplate(plan.pathway, plan.pathwayVersion) : undefined;
    const assigned = questionnairesDue(template, lastAnswered, plan ? new Date(plan.enrolledAt) : this.clock.now(), this.clock.now()).map((due) => ({
      ...due,
      title: questionnaire(due.instrument)?.title ?? due.instrument,
    }));
    return { pathway: plan?.pathway ?? null, assigned, recent: recent.map(view) };
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
    const definition = questionnaire(instrument);
    if (!definition) throw new NotFoundException(`no questionnaire ${instrument}`);
    const issues = checkAnswers(definition, body.answers);
    if (issues.length > 0) throw new BadRequestException(issues.map((issue) => `answers.${issue.linkId}: ${issue.message}`));
    const now = this.clock.now();
    const answeredAt = body.answeredAt ? new Date(body.answeredAt) : now;
    if (answeredAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) throw new BadRequestException(['answeredAt: must not be in the future']);
    const answers = body.answers as Answers;
    const score = scoreAnswers(definition, answers);
    const plan = await this.plans.plan(patientId);
    const template = plan ? pathwayTemplate(plan.pathway, plan.pathwayVersion) : undefined;
    const firings = answerAlerts(definition, answers, score, { postOperative: isPostOperative(template) }).map((alert) =>
      firingOf(definition, alert, answeredAt),
    );
    const recorded = await this.responses.record(
      patientId,
      {
        instrument: definition.id,
        instrumentVersion: definition.version,
        answers,
        total: score.total,
        band: score.band,
        answeredAt,
        enteredBy: user.id,
        source: 'clinician',
      },
      firings,
    );
    return { response: view(recorded.response), alerts: recorded.alerts.map((change) => ({ alertId: change.alertId, kind: change.kind })) };
  }
}

/**
 * An answer rule's alert as an episode firing. Never retrospective: a clinician entering a paper form late still
 * wants the care team told (a self-harm answer above all).
 */
function firingOf(definition: QuestionnaireDefinition, alert: ReturnType<typeof answerAlerts>[number], answeredAt: Date): EpisodeFiring {
  return {
    episode: alert.episode,
    ruleId: alert.ruleId,
    ruleVersion: definition.version,
    rule: { instrument: definition.id, instrumentVersion: definition.version, episode: alert.episode, severity: alert.severity, source: definition.source },
    severity: alert.severity,
    title: alert.title,
    reason: alert.reason,
    readings: [],
    openedAt: answeredAt.toISOString(),
    asOf: answeredAt.toISOString(),
    retrospective: false,
  };
}
