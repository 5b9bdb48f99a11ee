import type { Answers, QuestionnaireDefinition, QuestionnaireScore } from './questionnaire';

/** What the patient's answers call for: an alert to the care team, in an episode of its own. */
export interface AnswerAlert {
  /** The patient has at most one live alert per episode (as with reading rules). */
  episode: string;
  ruleId: string;
  severity: 'urgent' | 'warning';
  title: string;
  reason: string;
}

export interface AnswerContext {
  /** The patient is on a pathway anchored on a surgery (pain is judged as post-operative pain). */
  postOperative: boolean;
}

/** PHQ-9 item 9 (thoughts of being better off dead or of self-harm) answered above "not at all": urgent, whatever the total. */
export const PHQ9_SELF_HARM_EPISODE = 'phq9-self-harm';
/** PHQ-9 total in the severe band (>= 20, Kroenke 2001). */
export const PHQ9_SEVERE_FROM = 20;
/** Post-operative pain of 7 or more on the 0-10 scale (severe, Serlin 1995). */
export const POST_OP_PAIN_FROM = 7;

/**
 * The alerts a scored response raises (docs/questionnaires.md). Pure: the caller persists them through the
 * alerts table so delivery, escalation and the live stream treat them as any other alert.
 */
export function answerAlerts(definition: QuestionnaireDefinition, answers: Answers, score: QuestionnaireScore, context: AnswerContext): AnswerAlert[] {
  const alerts: AnswerAlert[] = [];
  switch (definition.id) {
    case 'phq9': {
      const item9 = answers['phq9-9'];
      if (item9 > 0) {
        alerts.push({
          episode: PHQ9_SELF_HARM_EPISODE,
          ruleId: 'questionnaire.phq9_self_harm',
          severity: 'urgent',
          title: 'PHQ-9: thoughts of self-harm reported',
          reason: `PHQ-9 item 9 answered ${item9} (${definition.items[8].options[item9].label}): assess risk today`,
        });
      }
      if (score.total >= PHQ9_SEVERE_FROM) {
        alerts.push({
          episode: 'phq9-severe',
          ruleId: 'questionnaire.phq9_severe',
          severity: 'warning',
          title: 'PHQ-9: severe depression score',
          reason: `PHQ-9 total ${score.total} of 27 (severe: >= ${PHQ9_SEVERE_FROM})`,
        });
      }
      break;
    }
    case 'pain_nrs':
      if (context.postOperative && score.total >= POST_OP_PAIN_FROM) {
        alerts.push({
          episode: 'post-op-pain',
          ruleId: 'questionnaire.post_op_pain',
          severity: 'warning',
          title: 'Severe pain after surgery',
          reason: `pain ${score.total} of 10 (severe: >= ${POST_OP_PAIN_FROM})`,
        });
      }
      break;
    case 'wound_check': {
      const signs = definition.items.filter((item) => answers[item.linkId] === 1).map((item) => item.text.toLowerCase());
      if (signs.length > 0) {
        alerts.push({
          episode: 'wound-warning-signs',
          ruleId: 'questionnaire.wound_signs',
          severity: 'warning',
          title: 'Wound check: warning signs reported',
          reason: `reported: ${signs.join('; ')}`,
        });
      }
      break;
    }
    default:
      break;
  }
  return alerts;
}
