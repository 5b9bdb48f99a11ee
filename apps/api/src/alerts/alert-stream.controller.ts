import { Controller, Headers, Sse, type MessageEvent } from '@nestjs/common';
import { Observable, map, takeUntil } from 'rxjs';
import { AuditLog } from '../audit/audit-log';
import { CurrentUser, RequestId, SessionToken, type AuthenticatedUser } from '../auth/current-user';
import { SessionWatch } from '../auth/session-watch';
import { AlertStream } from './alert-stream';
import { RespondsWithText } from '../http/responds-with.decorator';

@Controller('alerts')
export class AlertStreamController {
  constructor(
    private readonly stream: AlertStream,
    private readonly audit: AuditLog,
    private readonly sessions: SessionWatch,
  ) {}

  /**
   * Server-sent events: `alert` events ({alertId, patientId, status}) for the caller's patients, live.
   * Each event's id is the API's clock (ms) when it was sent; a client reconnecting with `Last-Event-ID`
   * (EventSource does so by itself) first gets the alerts changed since then, from any API instance.
   * The stream ends within seconds of its session ending (logout, expiry, account removed).
   */
  @Sse('stream')
  @RespondsWithText(
    200,
    'text/event-stream',
    'Server-sent events: `alert` events whose data is {alertId, patientId, status}; send `Last-Event-ID` to replay what was missed.',
  )
  async live(
    @CurrentUser() user: AuthenticatedUser,
    @SessionToken() token: string,
    @RequestId() requestId: string,
    @Headers('last-event-id') lastEventId?: string,
  ): Promise<Observable<MessageEvent>> {
    await this.audit.record({ userId: user.id, action: 'alerts.stream', patientId: null, outcome: 'allowed', requestId });
    return this.stream.forUser(user.id, sinceEventId(lastEventId)).pipe(
      map((change) => ({ type: 'alert', id: String(Date.now()), data: change })),
      takeUntil(this.sessions.ended(token)),
    );
  }
}

/** A previous event's id (ms since the epoch, not in the future and at most a day old), else undefined. */
function sinceEventId(lastEventId: string | undefined): Date | undefined {
  if (!lastEventId || !/^\d{1,15}$/.test(lastEventId)) return undefined;
  const ms = Number(lastEventId);
  const now = Date.now();
  return ms <= now && ms >= now - 24 * 3600 * 1000 ? new Date(ms) : undefined;
}
