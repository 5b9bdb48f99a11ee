import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type AlertStatus = 'open' | 'acknowledged' | 'snoozed' | 'resolved';

/** The reading an alert rests on: enough to find it again in the time-series store. */
export interface AlertReadingRef {
  deviceId: string;
  metric: string;
  measuredAt: string;
  seq: number | null;
  values: Record<string, number>;
  unit: string;
}

/** A raise of an alert's severity by a more severe rule of the same episode. */
export interface SeverityChange {
  /** When alerting raised it (wall clock). */
  at: string;
  /** The evaluation time of the firing that raised it (a reading's measurement time, or the scheduled run's). */
  asOf: string;
  from: string;
  to: string;
  ruleId: string;
  ruleVersion: number;
  title: string;
}

@Entity({ name: 'alerts' })
export class AlertEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'patient_id', type: 'uuid' })
  patientId!: string;

  /** The rule that fired, or the most severe one of the episode that fired. */
  @Column({ name: 'rule_id', type: 'text' })
  ruleId!: string;

  /** The condition the rules describe (one live alert per patient and episode). */
  @Column({ type: 'text' })
  episode!: string;

  @Column({ name: 'rule_version', type: 'integer' })
  ruleVersion!: number;

  @Column({ type: 'text' })
  severity!: string;

  @Column({ type: 'text' })
  status!: AlertStatus;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'jsonb' })
  readings!: AlertReadingRef[];

  /** When the condition began: the measurement time of the first reading of the episode (missing data: the last reading's). */
  @Column({ name: 'opened_at', type: 'timestamptz' })
  openedAt!: Date;

  /** When alerting raised the alert: the evaluation time (a reading's measurement time, or the scheduled run's clock). */
  @Column({ name: 'raised_at', type: 'timestamptz' })
  raisedAt!: Date;

  @Column({ name: 'severity_changes', type: 'jsonb' })
  severityChanges!: SeverityChange[];

  @Column({ name: 'last_reading_at', type: 'timestamptz' })
  lastReadingAt!: Date;

  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt!: Date | null;

  @Column({ name: 'acknowledged_by', type: 'uuid', nullable: true })
  acknowledgedBy!: string | null;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  /** The rule definition (parameters and version) as it was when the episode opened. */
  @Column({ type: 'jsonb' })
  rule!: Record<string, unknown>;

  /** Opened from late or backfilled readings about an episode already over: recorded, never paged. */
  @Column({ type: 'boolean' })
  retrospective!: boolean;

  @Column({ name: 'snoozed_until', type: 'timestamptz', nullable: true })
  snoozedUntil!: Date | null;

  @Column({ name: 'escalated_at', type: 'timestamptz', nullable: true })
  escalatedAt!: Date | null;

  @Column({ name: 'resolved_by', type: 'uuid', nullable: true })
  resolvedBy!: string | null;

  @Column({ type: 'text', nullable: true })
  resolution!: string | null;
}
