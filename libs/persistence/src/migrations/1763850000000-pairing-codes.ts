import type { MigrationInterface, QueryRunner } from 'typeorm';

/** One-time codes a clinician issues at discharge and the patient's hub or app exchanges for a credential. */
export class PairingCodes1763850000000 implements MigrationInterface {
  name = 'PairingCodes1763850000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE pairing_codes (
        code_hash text PRIMARY KEY,
        patient_id uuid NOT NULL REFERENCES patients (id),
        kind text NOT NULL,
        created_by uuid NOT NULL REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        claimed_at timestamptz,
        device_id text REFERENCES devices (id)
      );
      CREATE INDEX pairing_codes_patient_idx ON pairing_codes (patient_id);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE pairing_codes');
  }
}
