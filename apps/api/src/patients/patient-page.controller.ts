import { Body, ConflictException, Controller, Get, Inject, NotFoundException, Param, Post, UnauthorizedException } from '@nestjs/common';
import { CLOCK, pathwayTemplate, patientLinkDueOpen, patientPageText, questionnaire, questionnairesDue, summarizeCgm, type Clock } from '@rpm/clinical';
import { patientPageSchema, questionnaireAnswerRequestSchema, questionnaireRecordedSchema, type QuestionnaireAnswerRequest } from '@rpm/contracts';
import { FollowUpPlanRepository, NoOpenAssignmentError, PatientContactRepository, QuestionnaireResponseRepository } from '@rpm/persistence';
import { READING_STORE } from '@rpm/platform';
import { signPatientLink, verifyPatientPageLink } from '@rpm/security';
import type { ReadingStore } from '@rpm/timeseries';
import { API_CONFIG, type ApiConfig } from '../api.config';
import { AuditLog } from '../audit/audit-log';
import { Public } from '../auth/public.decorator';
import { RequestId } from '../auth/current-user';
import { RespondsWith } from '../http/responds-with.decorator';
import { PatientLinkAccess } from './patient-access';
import { PatientRouteThrottle } from './patient-route-throttler.guard';
import { QuestionnaireAnswering } from './questionnaire-answering';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** The page looks back a fortnight, as the CGM summary does (Battelino 2019: 14 days of CGM). */
const DAYS = 14;
/** The one-action links the page hands out expire a day after the contact, as the reminders' do. */
const ACTION_LINK_GRACE_MS = DAY;

/**
 * The patient's own page (GET /p/:token serves the web page; these routes feed it). The token is a signed
 * 'view' link (PATIENT_LINK_SECRET) that names one patient: everything here is that patient's and no other's,
 * there is no patient id in any route. A tampered or expired token answers 401; a token for a patient that does
 * not exist (deleted) 404, as any unknown record; no secret configured 404.
 * Every use is audit-logged as the patient's through their link (no user; action `patient_link.page.*`).
 */
@Controller('p/:token')
@PatientRouteThrottle()
export class PatientPageController {
  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(READING_STORE) private readonly store: ReadingStore,
    @Inject(FollowUpPlanRepository) private readonly plans: FollowUpPlanRepository,
    @Inject(QuestionnaireResponseRepository) private readonly responses: QuestionnaireResponseRepository,
    @Inject(PatientContactRepository) private readonly contacts: PatientContactRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly answering: QuestionnaireAnswering,
    private readonly audit: AuditLog,
    private readonly linkAccess: PatientLinkAccess,
  ) {}

  @Get('page')
  @Public()
  @RespondsWith(200, patientPageSchema)
  async page(@Param('token') token: string, @RequestId() requestId: string) {
    const patientId = await this.patientOf(token, 'patient_link.page.view', requestId);
    const now = this.clock.now();
    const from = new Date(now.getTime() - DAYS * DAY);
    const to = new Date(now.getTime() + 1);
    const [glucose, bp, plan, lastAnswered, contact] = await Promise.all([
      this.store.query({ patientId, metric: 'glucose', from, to, limit: DAYS * 1440 + 5_000 }),
      this.store.query({ patientId, metric: 'blood_pressure', from, to, limit: 10_000 }),
      this.plans.plan(patientId),
      this.responses.lastAnswered(patientId),
      this.contacts.contact(patientId),
    ]);
    const cgm = summarizeCgm(glucose, DAYS);
    const lastBp = bp.at(-1);
    const template = plan ? pathwayTemplate(plan.pathway, plan.pathwayVersion) : undefined;
    const questionnaires = questionnairesDue(template, lastAnswered, plan ? new Date(plan.enrolledAt) : now, now)
      .filter((due) => due.due)
      .flatMap((due) => {
        const definition = questionnaire(due.instrument);
        return definition ? [{ instrument: definition.id, title: definition.title, stem: definition.stem, dueAt: due.dueAt, items: definition.items }] : [];
      });
    // And those given one at a time: the satisfaction survey after a contact (docs/questionnaires.md).
    for (const open of await this.responses.openAssignments(patientId, now)) {
      const definition = questionnaire(open.instrument);
      if (definition && !questionnaires.some((due) => due.instrument === definition.id))
        questionnaires.push({
          instrument: definition.id,
          title: definition.title,
          stem: definition.stem,
          dueAt: new Date(open.assignedAt),
          items: definition.items,
        });
    }
    await this.audit.record({ userId: null, action: 'patient_link.page.view', patientId, outcome: 'allowed', requestId });
    return {
      // The page's fixed texts in the patient's recorded language (English when none or unknown).
      ...patientPageText(contact.language),
      days: DAYS,
      glucose: cgm ? { timeInRangePercent: Math.round(cgm.tir), readings: cgm.readings, hourly: hourlyMeans(glucose) } : null,
      bloodPressure: lastBp
        ? {
            last: { systolic: Math.round(lastBp.values.systolic), diastolic: Math.round(lastBp.values.diastolic), measuredAt: lastBp.measuredAt },
            readings: bp.map((reading) => ({ at: reading.measuredAt, systolic: reading.values.systolic, diastolic: reading.values.diastolic })),
          }
        : null,
      followUp: plan ? this.followUp(patientId, new Date(plan.nextDueAt), now) : null,
      questionnaires,
    };
  }

  @Post('questionnaires/:instrument/responses')
  @Public()
  @RespondsWith(201, questionnaireRecordedSchema)
  async answer(
    @Param('token') token: string,
    @Param('instrument') instrument: string,
    @Body({ schema: questionnaireAnswerRequestSchema }) body: QuestionnaireAnswerRequest,
    @RequestId() requestId: string,
  ) {
    const patientId = await this.patientOf(token, 'patient_link.page.questionnaire', requestId);
    await this.audit.record({ userId: null, action: 'patient_link.page.questionnaire', patientId, outcome: 'allowed', requestId });
    try {
      return await this.answering.answer(patientId, instrument, body, { enteredBy: null, source: 'patient' });
    } catch (error) {
      if (!(error instanceof NoOpenAssignmentError)) throw error;
      // The survey after a contact, answered already (or closed): say so; nothing is recorded.
      throw new ConflictException(patientPageText((await this.contacts.contact(patientId)).language).text.questionnaireClosed);
    }
  }

  /**
   * The confirm / reschedule tokens for the due contact, as a reminder would carry them: null once its day has
   * passed, when the links would be refused (410).
   */
  private followUp(patientId: string, dueAt: Date, now: Date) {
    const expiresAtMs = dueAt.getTime() + ACTION_LINK_GRACE_MS;
    const secret = this.config.patientLinkSecret!;
    const sign = (action: 'confirm' | 'reschedule') =>
      patientLinkDueOpen(dueAt, dueAt, now)
        ? signPatientLink(secret, { action, patientId, dueAt: dueAt.toISOString(), expiresAt: Math.floor(expiresAtMs / 1000) })
        : null;
    return { dueAt: dueAt.toISOString(), confirmToken: sign('confirm'), rescheduleToken: sign('reschedule') };
  }

  private async patientOf(token: string, action: string, requestId: string): Promise<string> {
    if (!this.config.patientLinkSecret) throw new NotFoundException();
    const claims = verifyPatientPageLink(this.config.patientLinkSecret, token, this.clock.now());
    if (!claims) {
      await this.audit.record({ userId: null, action, patientId: null, outcome: 'denied', requestId });
      throw new UnauthorizedException('this link is not valid or has expired');
    }
    return this.linkAccess.existing(claims.patientId, action, requestId);
  }
}

/** Hourly means of the glucose readings, oldest first: enough for a phone's chart of 14 days. */
function hourlyMeans(readings: readonly { measuredAt: string; values: Record<string, number> }[]): { at: string; meanMgDl: number }[] {
  const hours = new Map<number, { sum: number; count: number }>();
  for (const reading of readings) {
    const hour = Math.floor(new Date(reading.measuredAt).getTime() / HOUR) * HOUR;
    const bucket = hours.get(hour) ?? { sum: 0, count: 0 };
    bucket.sum += reading.values.value;
    bucket.count += 1;
    hours.set(hour, bucket);
  }
  return [...hours].map(([hour, { sum, count }]) => ({ at: new Date(hour).toISOString(), meanMgDl: Math.round(sum / count) }));
}
