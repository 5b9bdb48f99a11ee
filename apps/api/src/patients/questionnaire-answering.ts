import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import {
  CLOCK,
  answerAlerts,
  checkAnswers,
  pathwayTemplate,
  questionnaire,
  scoreAnswers,
  type Answers,
  type Clock,
  type PathwayTemplate,
  type QuestionnaireDefinition,
} from '@rpm/clinical';
import type { QuestionnaireAnswerRequest } from '@rpm/contracts';
import { FollowUpPlanRepository, QuestionnaireResponseRepository, type EpisodeFiring, type QuestionnaireResponseRow } from '@rpm/persistence';

/** A response may be entered a little after the fact, never from the future (clock skew aside). */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

const isPostOperative = (template: PathwayTemplate | undefined): boolean => template?.schedule.kind === 'anchored' && template.schedule.anchor === 'surgery';

export function questionnaireResponseView(row: QuestionnaireResponseRow) {
  const definition = questionnaire(row.instrument);
  return { ...row, title: definition?.title ?? row.instrument, maxScore: definition?.maxScore ?? row.total };
}

/**
 * One path for every questionnaire response, whoever enters it (a clinician, or the patient on their own page):
 * checked and scored by the pure definitions in @rpm/clinical, and recorded with the alerts its answer rules call
 * for (a PHQ-9 item 9 above 0 opens the urgent alert either way).
 */
@Injectable()
export class QuestionnaireAnswering {
  constructor(
    @Inject(QuestionnaireResponseRepository) private readonly responses: QuestionnaireResponseRepository,
    @Inject(FollowUpPlanRepository) private readonly plans: FollowUpPlanRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async answer(patientId: string, instrument: string, body: QuestionnaireAnswerRequest, by: { enteredBy: string | null; source: 'clinician' | 'patient' }) {
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
        enteredBy: by.enteredBy,
        source: by.source,
      },
      firings,
      // The patient answers a questionnaire given one at a time only while it is open (once per contact); a
      // clinician may still enter a late paper form, kept but counted as no contact's survey.
      { requireOpenAssignment: by.source === 'patient' && definition.assignedOnly === true },
    );
    return {
      response: questionnaireResponseView(recorded.response),
      alerts: recorded.alerts.map((change) => ({ alertId: change.alertId, kind: change.kind })),
    };
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
