import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A patient's request for a fresh link to their own page ("send me a link" at /p/sign-in): recorded by the API
 * when the phone or e-mail matches a patient with contact consent, delivered by the alerting app through the
 * patient's preferred channels (it holds the channels), with every attempt counted. Nothing of what the
 * patient typed is stored: only the patient it matched.
 */
export class PatientSignInLinks1764510000000 implements MigrationInterface {
  name = 'PatientSignInLinks1764510000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE patient_sign_in_links (
        id bigserial PRIMARY KEY,
        patient_id uuid NOT NULL REFERENCES patients (id),
        requested_at timestamptz NOT NULL,
        request_id text,
        send_after timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
        channel text,
        sent_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        claimed_until timestamptz
      );
      CREATE INDEX patient_sign_in_links_due_idx ON patient_sign_in_links (send_after) WHERE status = 'pending';
      CREATE INDEX patient_sign_in_links_patient_idx ON patient_sign_in_links (patient_id, requested_at);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE patient_sign_in_links`);
  }
}
