import { Inject, Injectable } from '@nestjs/common';
import { AuditRepository, type AuditEventRow } from '@rpm/persistence';

/** One audit entry; `subject` names what an administrator created or changed (`user:<id> care-team:<id>`), never a secret. */
export type AuditEvent = AuditEventRow;

/** Who touched which patient's data, when, and whether they were let in. */
@Injectable()
export class AuditLog {
  constructor(@Inject(AuditRepository) private readonly entries: AuditRepository) {}

  async record(event: AuditEvent): Promise<void> {
    await this.entries.record(event);
  }
}
