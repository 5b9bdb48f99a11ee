import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'audit_log' })
export class AuditEntryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId!: string | null;

  @Column({ type: 'text' })
  action!: string;

  @Column({ name: 'patient_id', type: 'uuid', nullable: true })
  patientId!: string | null;

  @Column({ type: 'text' })
  outcome!: 'allowed' | 'denied';

  @Column({ name: 'request_id', type: 'text' })
  requestId!: string;

  /** What an administrator created or changed (`user:<id>`, `care-team:<id>`), never a secret. */
  @Column({ type: 'text', nullable: true })
  subject!: string | null;
}
