import { Controller, Sse, type MessageEvent } from '@nestjs/common';
import { Observable, map } from 'rxjs';
import { AuditLog } from '../audit/audit-log';
import { CurrentUser, RequestId, type AuthenticatedUser } from '../auth/current-user';
import { AlertStream } from './alert-stream';

@Controller('alerts')
export class AlertStreamController {
  constructor(
    private readonly stream: AlertStream,
    private readonly audit: AuditLog,
  ) {}

  /** Server-sent events: `alert` events ({alertId, patientId, status}) for the caller's patients, live. */
  @Sse('stream')
  async live(@CurrentUser() user: AuthenticatedUser, @RequestId() requestId: string): Promise<Observable<MessageEvent>> {
    await this.audit.record({ userId: user.id, action: 'alerts.stream', patientId: null, outcome: 'allowed', requestId });
    return this.stream.forUser(user.id).pipe(map((change) => ({ type: 'alert', data: change })));
  }
}
