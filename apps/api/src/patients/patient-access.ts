import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { CareTeamScope } from '@rpm/persistence';
import { AuditLog } from '../audit/audit-log';
import type { AuthenticatedUser } from '../auth/current-user';

/**
 * Scopes every patient-level request to the caller's care teams. A patient outside them answers 404,
 * exactly as a patient that does not exist, so the API does not reveal who is a patient.
 */
@Injectable()
export class PatientAccess {
  constructor(
    @Inject(CareTeamScope) private readonly scope: CareTeamScope,
    private readonly audit: AuditLog,
  ) {}

  async authorize(user: AuthenticatedUser, patientId: string, action: string, requestId: string): Promise<void> {
    const allowed = await this.scope.canSee(user.id, patientId);
    await this.audit.record({ userId: user.id, action, patientId, outcome: allowed ? 'allowed' : 'denied', requestId });
    if (!allowed) throw new NotFoundException('patient not found');
  }
}
