import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { CareTeamScope, PatientRepository } from '@rpm/persistence';
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

/**
 * A patient's signed link names a patient id; the signature proves who made it, not that the patient still
 * exists. A link for a patient that does not (deleted, or never did) answers 404 like any unknown record,
 * never an empty page, and the refusal is audit-logged with no patient.
 */
@Injectable()
export class PatientLinkAccess {
  constructor(
    @Inject(PatientRepository) private readonly patients: PatientRepository,
    private readonly audit: AuditLog,
  ) {}

  async existing(patientId: string, action: string, requestId: string): Promise<string> {
    if (await this.patients.find(patientId)) return patientId;
    await this.audit.record({ userId: null, action, patientId: null, outcome: 'denied', requestId });
    throw new NotFoundException('patient not found');
  }
}
