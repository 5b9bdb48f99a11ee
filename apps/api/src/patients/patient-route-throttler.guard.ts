import { applyDecorators, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerRequest } from '@nestjs/throttler';
import { createHash } from 'node:crypto';

export interface PatientRouteLimit {
  /** Requests allowed in the window... */
  limit: number;
  /** ...of this many milliseconds; once over, refused (429, Retry-After) until the window ends. */
  ttl: number;
}

export interface PatientRouteLimits {
  perAddress: PatientRouteLimit;
  perToken: PatientRouteLimit;
}

/**
 * The routes a patient reaches without a staff session (/p/*): each caller address and each link token has one
 * budget across all of them, so a guessing run is slowed whichever route it tries. A person reading their page
 * makes a few requests a minute (page, answers, confirm); a script guessing tokens makes thousands.
 */
export const PATIENT_ROUTE_LIMITS: PatientRouteLimits = {
  perAddress: { limit: 120, ttl: 60_000 },
  perToken: { limit: 30, ttl: 60_000 },
};

const LIMITS_KEY = 'rpm:patientRouteLimits';
/** The sign-in form's path segment under /p/ (the web page tells it from a token: a real token has a dot). */
const SIGN_IN_FORM_PATH = 'sign-in';

/**
 * Throttles a /p/* route per caller address (the socket's, or X-Forwarded-For from a TRUST_PROXY proxy) and per
 * link token (the `:token` of the path), with @nestjs/throttler's storage. Over either budget: 429 with
 * `Retry-After` (seconds). A route may narrow its budgets with @PatientRouteThrottle(limits).
 */
@Injectable()
export class PatientRouteThrottlerGuard extends ThrottlerGuard {
  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    if (request.throttler.name !== 'default') return true;
    const { req } = this.getRequestResponse(request.context);
    const limits =
      this.reflector.getAllAndOverride<PatientRouteLimits>(LIMITS_KEY, [request.context.getHandler(), request.context.getClass()]) ?? PATIENT_ROUTE_LIMITS;
    const budget = (scope: string, limit: PatientRouteLimit, tracker: string) =>
      super.handleRequest({
        ...request,
        limit: limit.limit,
        ttl: limit.ttl,
        blockDuration: limit.ttl,
        getTracker: () => tracker,
        // One key per budget across all /p/* routes (a route with budgets of its own has its own key); hashed, so a
        // long token costs the store no more than an address.
        generateKey: (_context, suffix) =>
          createHash('sha256')
            .update(`patient-route:${limits === PATIENT_ROUTE_LIMITS ? '*' : request.context.getHandler().name}:${scope}:${suffix}`)
            .digest('base64url'),
      });
    await budget('address', limits.perAddress, await this.getTracker(req));
    const token = (req.params as Record<string, string> | undefined)?.token;
    // GET /p/sign-in (the form) fills the :token slot without being a token: the address budget is its only one,
    // or every patient's form would share a single 30-a-minute budget that one caller could spend.
    if (token && token !== SIGN_IN_FORM_PATH) await budget('token', limits.perToken, token);
    return true;
  }
}

/** Puts a /p/* route (or a whole controller) under the patient-route budgets; `limits` gives a route budgets of its own. */
export const PatientRouteThrottle = (limits?: PatientRouteLimits) =>
  limits ? applyDecorators(SetMetadata(LIMITS_KEY, limits), UseGuards(PatientRouteThrottlerGuard)) : UseGuards(PatientRouteThrottlerGuard);
