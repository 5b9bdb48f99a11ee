import type { DataSource } from 'typeorm';
import type { AuditHead } from '../audit-checkpoint';
import { auditHashAt, readAuditHead, type RunQuery } from '../audit-checkpoint-file';
import { AuditEntryEntity } from '../entities';

export interface AuditEventRow {
  userId: string | null;
  action: string;
  patientId: string | null;
  outcome: 'allowed' | 'denied';
  requestId: string;
  subject?: string;
}

/** The audit log: append-only (a trigger chains each entry's hash to the one before). */
export class AuditRepository {
  private readonly run: RunQuery;

  constructor(private readonly dataSource: DataSource) {
    this.run = (sql, parameters) => this.dataSource.query(sql, parameters);
  }

  async record(event: AuditEventRow): Promise<void> {
    await this.dataSource.getRepository(AuditEntryEntity).insert({ ...event, subject: event.subject ?? null });
  }

  /** The newest entry of the chain and the number of entries, for a checkpoint. */
  head(): Promise<AuditHead> {
    return readAuditHead(this.run);
  }

  hashAt(seq: number): Promise<string | undefined> {
    return auditHashAt(this.run, seq);
  }
}
