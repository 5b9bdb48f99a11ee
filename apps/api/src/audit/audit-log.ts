import { Inject, Injectable } from '@nestjs/common';
import { AuditEntryEntity } from '@rpm/persistence';
import { DataSource } from 'typeorm';

export interface AuditEvent {
  userId: string | null;
  action: string;
  patientId: string | null;
  outcome: 'allowed' | 'denied';
  requestId: string;
  /** What an administrator created or changed, as `kind:<id>` words (`user:<id> care-team:<id>`); never a secret. */
  subject?: string;
}

/** Who touched which patient's data, when, and whether they were let in. */
@Injectable()
export class AuditLog {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async record(event: AuditEvent): Promise<void> {
    await this.dataSource.getRepository(AuditEntryEntity).insert({ ...event, subject: event.subject ?? null });
  }
}
