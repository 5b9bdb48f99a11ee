import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Visits, follow-up plans, every plan change with its reason and the clinician's decision, and reminders. */
export class FollowUp1763870000000 implements MigrationInterface {
  name = 'FollowUp1763870000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE visits (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        patient_id uuid NOT NULL REFERENCES patients (id),
        occurred_at timestamptz NOT NULL,
        type text NOT NULL,
        clinician_id uuid REFERENCES users (id),
        notes text,
        outcome text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX visits_patient_time_idx ON visits (patient_id, occurred_at);

      CREATE TABLE follow_up_plans (
        patient_id uuid PRIMARY KEY REFERENCES patients (id),
        pathway text NOT NULL CHECK (pathway IN ('diabetes', 'hypertension', 'post_surgery')),
        tier text NOT NULL CHECK (tier IN ('high', 'medium', 'low')),
        interval_days integer NOT NULL,
        step integer NOT NULL DEFAULT 0,
        stable_reviews integer NOT NULL DEFAULT 0,
        next_due_at timestamptz NOT NULL,
        enrolled_at timestamptz NOT NULL,
        last_reviewed_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX follow_up_plans_due_idx ON follow_up_plans (next_due_at);

      CREATE TABLE follow_up_changes (
        id bigserial PRIMARY KEY,
        patient_id uuid NOT NULL REFERENCES patients (id),
        kind text NOT NULL,
        from_interval_days integer NOT NULL,
        to_interval_days integer NOT NULL,
        next_due_at timestamptz NOT NULL,
        reason text NOT NULL,
        status text NOT NULL CHECK (status IN ('proposed', 'confirmed', 'overridden')) DEFAULT 'proposed',
        decided_by uuid REFERENCES users (id),
        decided_at timestamptz,
        created_at timestamptz NOT NULL
      );
      CREATE INDEX follow_up_changes_patient_idx ON follow_up_changes (patient_id, created_at);

      -- One row per reminder of one due date: the primary key makes sending idempotent across restarts
      -- and instances.
      CREATE TABLE follow_up_reminders (
        patient_id uuid NOT NULL REFERENCES patients (id),
        due_at timestamptz NOT NULL,
        kind text NOT NULL,
        sent_at timestamptz NOT NULL,
        PRIMARY KEY (patient_id, due_at, kind)
      );
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE follow_up_reminders; DROP TABLE follow_up_changes; DROP TABLE follow_up_plans; DROP TABLE visits;');
  }
}
