import { BadRequestException, Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { CLOCK, patientPageText, signInAddress, type Clock } from '@rpm/clinical';
import { patientPageTextResponseSchema, patientSignInRequestSchema, patientSignInResponseSchema, type PatientSignInRequest } from '@rpm/contracts';
import { PatientSignInRepository } from '@rpm/persistence';
import { API_CONFIG, type ApiConfig } from '../api.config';
import { AuditLog } from '../audit/audit-log';
import { Public } from '../auth/public.decorator';
import { RequestId } from '../auth/current-user';
import { RespondsWith } from '../http/responds-with.decorator';
import { PatientRouteThrottle } from './patient-route-throttler.guard';

/** One message per patient per 10 minutes, however often the form is sent (by the patient or by someone else). */
export const SIGN_IN_LINK_GAP_MS = 10 * 60_000;
/** The form itself: 10 tries per caller address in 15 minutes, a household's typos but not a search through numbers. */
const SIGN_IN_LIMITS = { perAddress: { limit: 10, ttl: 15 * 60_000 }, perToken: { limit: 10, ttl: 15 * 60_000 } };

/**
 * The patient's log-in without a password: a patient whose link has expired (or who never kept one) types the
 * mobile number or e-mail address on record, and a fresh link to their own page goes out through their
 * preferred channels (the alerting app sends it, as it sends reminders). The answer is the same whether or not
 * the address matched, so the form tells no one who is a patient; only a patient with contact consent is sent
 * anything. Rate-limited per caller address, at most one message per patient per 10 minutes, audit-logged.
 */
@Controller('p')
export class PatientSignInController {
  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(PatientSignInRepository) private readonly links: PatientSignInRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  /** The page's fixed texts before a link is known (the sign-in form, a refused link); English when the language has none. */
  @Get('text/:language')
  @Public()
  @PatientRouteThrottle()
  @RespondsWith(200, patientPageTextResponseSchema)
  text(@Param('language') language: string) {
    return patientPageText(language);
  }

  @Post('sign-in')
  @Public()
  @HttpCode(202)
  @PatientRouteThrottle(SIGN_IN_LIMITS)
  @RespondsWith(202, patientSignInResponseSchema)
  async signIn(
    @Body({ schema: patientSignInRequestSchema }) body: PatientSignInRequest,
    @Query('language') language: string | undefined,
    @RequestId() requestId: string,
  ) {
    if (!this.config.patientLinkSecret) throw new NotFoundException();
    const address = signInAddress(body.address);
    // ?language=de&language=fr arrives as a list: English, as for any language the page has no texts in.
    const { text } = patientPageText(typeof language === 'string' ? language : 'en');
    if (!address) throw new BadRequestException(text.signInInvalid);
    const now = this.clock.now();
    const patients = await this.links.patientsReachableAt(address);
    for (const patientId of patients) {
      const recorded = await this.links.request(patientId, now, SIGN_IN_LINK_GAP_MS, requestId);
      await this.audit.record({ userId: null, action: 'patient_link.sign_in', patientId, outcome: recorded ? 'allowed' : 'denied', requestId });
    }
    if (patients.length === 0) await this.audit.record({ userId: null, action: 'patient_link.sign_in', patientId: null, outcome: 'denied', requestId });
    return { accepted: true as const, message: text.signInSent };
  }
}
