import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'devices' })
export class DeviceEntity {
  /** Also the MQTT username and the device's topic segment. */
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'patient_id', type: 'uuid' })
  patientId!: string;

  @Column({ type: 'text' })
  kind!: string;

  /** SHA-256 of the device secret; the secret itself is shown once and never stored. */
  @Column({ name: 'credential_hash', type: 'text' })
  credentialHash!: string;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
