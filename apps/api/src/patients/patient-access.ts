import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditLog } from '../audit/audit-log';
import type { AuthenticatedUser } from '../auth/current-user';

/**
 * Scopes every patient-level request to the caller's care teams. A patient outside them answers 404,
 * exactly as a patient that does not exist, so the API does not reveal who is a patient.
 */
@Injectable()
export class PatientAccess {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
  ) {}

  async authorize(user: AuthenticatedUser, patientId: string, action: string, requestId: string): Promise<void> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM patients p JOIN care_team_members m ON m.care_team_id = p.care_team_id
        WHERE p.id = $1 AND m.user_id = $2 LIMIT 1`,
      [patientId, user.id],
    );
    const allowed = rows.length > 0;
    await this.audit.record({ userId: user.id, action, patientId, outcome: allowed ? 'allowed' : 'denied', requestId });
    if (!allowed) throw new NotFoundException('patient not found');
  }
}
