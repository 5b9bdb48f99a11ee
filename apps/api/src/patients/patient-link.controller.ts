import { Controller, Get, GoneException, HttpCode, Inject, NotFoundException, Param, Post, UnauthorizedException } from '@nestjs/common';
import { CLOCK, patientLinkDueOpen, patientPageText, type Clock } from '@rpm/clinical';
import { patientLinkResponseSchema } from '@rpm/contracts';
import { FollowUpPlanRepository, PatientContactRepository } from '@rpm/persistence';
import { verifyPatientLink, type PatientLinkClaims } from '@rpm/security';
import { API_CONFIG, type ApiConfig } from '../api.config';
import { AuditLog } from '../audit/audit-log';
import { Public } from '../auth/public.decorator';
import { RequestId } from '../auth/current-user';
import { RespondsWith } from '../http/responds-with.decorator';
import { PatientLinkAccess } from './patient-access';
import { PatientRouteThrottle } from './patient-route-throttler.guard';

/**
 * The links in a patient's reminder (no log-in: the token is the credential). Each token is signed with
 * PATIENT_LINK_SECRET, names one action on one due contact and expires; GET shows what it would do, POST
 * records it on the follow-up record (a request to reschedule becomes a task on the nurse worklist). A token
 * that is tampered, expired or for the other action answers 401; one for a patient that does not exist 404;
 * one whose contact has taken place (a contact was recorded, the due date moved) or whose day has passed 410,
 * with a sentence in the patient's language, and nothing is recorded. Without a configured secret the routes
 * answer 404. Every use is audit-logged.
 */
@Controller('p/:token')
@PatientRouteThrottle()
export class PatientLinkController {
  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(PatientContactRepository) private readonly contacts: PatientContactRepository,
    @Inject(FollowUpPlanRepository) private readonly plans: FollowUpPlanRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly linkAccess: PatientLinkAccess,
  ) {}

  @Get('confirm')
  @Public()
  @RespondsWith(200, patientLinkResponseSchema)
  showConfirm(@Param('token') token: string, @RequestId() requestId: string) {
    return this.answer(token, 'confirm', requestId, false);
  }

  @Post('confirm')
  @Public()
  @HttpCode(200)
  @RespondsWith(200, patientLinkResponseSchema)
  confirm(@Param('token') token: string, @RequestId() requestId: string) {
    return this.answer(token, 'confirm', requestId, true);
  }

  @Get('reschedule')
  @Public()
  @RespondsWith(200, patientLinkResponseSchema)
  showReschedule(@Param('token') token: string, @RequestId() requestId: string) {
    return this.answer(token, 'reschedule', requestId, false);
  }

  @Post('reschedule')
  @Public()
  @HttpCode(200)
  @RespondsWith(200, patientLinkResponseSchema)
  reschedule(@Param('token') token: string, @RequestId() requestId: string) {
    return this.answer(token, 'reschedule', requestId, true);
  }

  private async answer(token: string, action: PatientLinkClaims['action'], requestId: string, record: boolean) {
    if (!this.config.patientLinkSecret) throw new NotFoundException();
    const claims = verifyPatientLink(this.config.patientLinkSecret, token, action, this.clock.now());
    const auditAction = `patient_link.${action}${record ? '' : '.view'}`;
    if (!claims) {
      await this.audit.record({ userId: null, action: auditAction, patientId: null, outcome: 'denied', requestId });
      throw new UnauthorizedException('this link is not valid or has expired');
    }
    await this.linkAccess.existing(claims.patientId, auditAction, requestId);
    const dueAt = new Date(claims.dueAt);
    const now = this.clock.now();
    const stillOpen = (planDueAt: Date | null) => patientLinkDueOpen(dueAt, planDueAt, now);
    // Recording checks the due date under the plan's lock, so a contact recorded at the same moment is seen.
    let recorded: boolean | 'gone';
    if (record) recorded = await this.contacts.recordPatientAnswer(claims.patientId, dueAt, action, now, stillOpen);
    else {
      const plan = await this.plans.plan(claims.patientId);
      recorded = stillOpen(plan ? new Date(plan.nextDueAt) : null) ? false : 'gone';
    }
    if (recorded === 'gone') {
      await this.audit.record({ userId: null, action: auditAction, patientId: claims.patientId, outcome: 'denied', requestId });
      throw new GoneException(patientPageText((await this.contacts.contact(claims.patientId)).language).text.followUpGone);
    }
    await this.audit.record({ userId: null, action: auditAction, patientId: claims.patientId, outcome: 'allowed', requestId });
    return { action, dueAt: dueAt.toISOString(), recorded };
  }
}
