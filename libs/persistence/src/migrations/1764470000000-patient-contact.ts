import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Patient contact details and preferences, consents with their history (a withdrawal ends a row, never
 * deletes it), and reminders to the patient with every delivery attempt. A reminder's primary key makes it
 * exactly once per due date and window; a request from a patient's link is a follow-up task.
 */
export class PatientContact1764470000000 implements MigrationInterface {
  name = 'PatientContact1764470000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE patient_contacts (
        patient_id uuid PRIMARY KEY REFERENCES patients (id),
        phone text,
        email text,
        channels text[] NOT NULL DEFAULT '{}',
        language text NOT NULL DEFAULT 'en',
        quiet_start text,
        quiet_end text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by uuid REFERENCES users (id)
      );

      CREATE TABLE patient_consents (
        id bigserial PRIMARY KEY,
        patient_id uuid NOT NULL REFERENCES patients (id),
        scope text NOT NULL CHECK (scope IN ('remote_monitoring', 'contact_channels', 'data_sharing')),
        given_at timestamptz NOT NULL,
        recorded_by uuid NOT NULL REFERENCES users (id),
        withdrawn_at timestamptz,
        withdrawn_by uuid REFERENCES users (id),
        note text
      );
      CREATE UNIQUE INDEX patient_consents_active_idx ON patient_consents (patient_id, scope) WHERE withdrawn_at IS NULL;

      ALTER TABLE alert_deliveries DROP CONSTRAINT alert_deliveries_status_check;
      ALTER TABLE alert_deliveries ADD CONSTRAINT alert_deliveries_status_check CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled'));

      CREATE TABLE patient_reminders (
        patient_id uuid NOT NULL REFERENCES patients (id),
        due_at timestamptz NOT NULL,
        kind text NOT NULL,
        created_at timestamptz NOT NULL,
        send_after timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
        channel text,
        sent_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        claimed_until timestamptz,
        PRIMARY KEY (patient_id, due_at, kind)
      );
      CREATE INDEX patient_reminders_due_idx ON patient_reminders (send_after) WHERE status = 'pending';

      CREATE TABLE patient_reminder_attempts (
        id bigserial PRIMARY KEY,
        patient_id uuid NOT NULL REFERENCES patients (id),
        due_at timestamptz NOT NULL,
        kind text NOT NULL,
        channel text NOT NULL,
        at timestamptz NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('sent', 'failed')),
        error text
      );
      CREATE INDEX patient_reminder_attempts_idx ON patient_reminder_attempts (patient_id, due_at, kind);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TABLE patient_reminder_attempts;
      DROP TABLE patient_reminders;
      UPDATE alert_deliveries SET status = 'failed' WHERE status = 'cancelled';
      ALTER TABLE alert_deliveries DROP CONSTRAINT alert_deliveries_status_check;
      ALTER TABLE alert_deliveries ADD CONSTRAINT alert_deliveries_status_check CHECK (status IN ('pending', 'delivered', 'failed'));
      DROP TABLE patient_consents;
      DROP TABLE patient_contacts;
    `);
  }
}
