import { Controller, Sse, type MessageEvent } from '@nestjs/common';
import { Observable, map, takeUntil } from 'rxjs';
import { AuditLog } from '../audit/audit-log';
import { CurrentUser, RequestId, SessionToken, type AuthenticatedUser } from '../auth/current-user';
import { SessionWatch } from '../auth/session-watch';
import { AlertStream } from './alert-stream';

@Controller('alerts')
export class AlertStreamController {
  constructor(
    private readonly stream: AlertStream,
    private readonly audit: AuditLog,
    private readonly sessions: SessionWatch,
  ) {}

  /**
   * Server-sent events: `alert` events ({alertId, patientId, status}) for the caller's patients, live.
   * The stream ends within seconds of its session ending (logout, expiry, account removed).
   */
  @Sse('stream')
  async live(@CurrentUser() user: AuthenticatedUser, @SessionToken() token: string, @RequestId() requestId: string): Promise<Observable<MessageEvent>> {
    await this.audit.record({ userId: user.id, action: 'alerts.stream', patientId: null, outcome: 'allowed', requestId });
    return this.stream.forUser(user.id).pipe(
      map((change) => ({ type: 'alert', data: change })),
      takeUntil(this.sessions.ended(token)),
    );
  }
}
