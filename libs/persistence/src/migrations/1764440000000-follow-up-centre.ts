import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The follow-up centre: plans carry their pathway version, anchor (surgery/discharge), last contact, stored
 * status (overdue / missed / lost persist until a contact ends them), the recurring comprehensive review, the
 * latest daily assessment and the responsible staff member. Every state change is an event. Visits can be
 * appointments (a future date). Reminders name their recipient and record their delivery. The worklist
 * records call attempts and multidisciplinary tasks.
 */
export class FollowUpCentre1764440000000 implements MigrationInterface {
  name = 'FollowUpCentre1764440000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE follow_up_plans DROP CONSTRAINT follow_up_plans_pathway_check;
      ALTER TABLE follow_up_plans
        ADD COLUMN pathway_version integer NOT NULL DEFAULT 1,
        ADD COLUMN anchor_at timestamptz,
        ADD COLUMN last_contact_at timestamptz,
        ADD COLUMN review_due_at timestamptz,
        ADD COLUMN status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'overdue', 'missed', 'lost_to_follow_up')),
        ADD COLUMN status_since timestamptz,
        ADD COLUMN assessment jsonb,
        ADD COLUMN assessed_at timestamptz,
        ADD COLUMN assigned_to uuid REFERENCES users (id),
        ADD COLUMN escalated_at timestamptz;
      UPDATE follow_up_plans SET anchor_at = enrolled_at,
             last_contact_at = (SELECT max(v.occurred_at) FROM visits v WHERE v.patient_id = follow_up_plans.patient_id AND v.occurred_at <= now());
      ALTER TABLE follow_up_plans ALTER COLUMN anchor_at SET NOT NULL;
      CREATE INDEX follow_up_plans_status_idx ON follow_up_plans (status, next_due_at);

      ALTER TABLE follow_up_changes DROP CONSTRAINT follow_up_changes_status_check;
      ALTER TABLE follow_up_changes ADD CONSTRAINT follow_up_changes_status_check CHECK (status IN ('proposed', 'confirmed', 'overridden', 'superseded'));
      ALTER TABLE follow_up_changes ADD COLUMN to_level integer, ADD COLUMN to_tier text;

      -- Every change of a plan's state, with who or what made it: status changes, contacts, proposals
      -- decided, clinician settings, call attempts, escalations.
      CREATE TABLE follow_up_events (
        id bigserial PRIMARY KEY,
        patient_id uuid NOT NULL REFERENCES patients (id),
        at timestamptz NOT NULL,
        kind text NOT NULL,
        from_status text,
        to_status text,
        due_at timestamptz,
        detail jsonb NOT NULL DEFAULT '{}',
        actor_id uuid REFERENCES users (id)
      );
      CREATE INDEX follow_up_events_patient_idx ON follow_up_events (patient_id, at);
      CREATE INDEX follow_up_events_kind_idx ON follow_up_events (kind, at);

      ALTER TABLE visits ADD COLUMN status text NOT NULL DEFAULT 'completed' CHECK (status IN ('completed', 'appointment', 'cancelled')),
        ADD COLUMN purpose text;

      ALTER TABLE follow_up_reminders ADD COLUMN recipient_id uuid REFERENCES users (id),
        ADD COLUMN delivery_status text NOT NULL DEFAULT 'sent' CHECK (delivery_status IN ('pending', 'sent', 'failed')),
        ADD COLUMN attempts integer NOT NULL DEFAULT 0,
        ADD COLUMN last_error text;

      -- The worklist: a call attempt against the contact due, with its outcome.
      CREATE TABLE follow_up_call_attempts (
        id bigserial PRIMARY KEY,
        patient_id uuid NOT NULL REFERENCES patients (id),
        due_at timestamptz NOT NULL,
        at timestamptz NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('reached', 'no_answer', 'wrong_number', 'declined', 'rescheduled')),
        note text,
        by_user uuid NOT NULL REFERENCES users (id)
      );
      CREATE INDEX follow_up_call_attempts_patient_idx ON follow_up_call_attempts (patient_id, due_at);

      -- Tasks of multidisciplinary members (dietitian, psychologist ...) beside the contacts.
      CREATE TABLE follow_up_tasks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        patient_id uuid NOT NULL REFERENCES patients (id),
        kind text NOT NULL,
        discipline text NOT NULL,
        due_at timestamptz NOT NULL,
        assigned_to uuid REFERENCES users (id),
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
        reason text NOT NULL,
        created_at timestamptz NOT NULL,
        done_at timestamptz
      );
      CREATE INDEX follow_up_tasks_open_idx ON follow_up_tasks (status, due_at);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TABLE follow_up_tasks;
      DROP TABLE follow_up_call_attempts;
      ALTER TABLE follow_up_reminders DROP COLUMN recipient_id, DROP COLUMN delivery_status, DROP COLUMN attempts, DROP COLUMN last_error;
      ALTER TABLE visits DROP COLUMN status, DROP COLUMN purpose;
      DROP TABLE follow_up_events;
      ALTER TABLE follow_up_changes DROP COLUMN to_level, DROP COLUMN to_tier;
      UPDATE follow_up_changes SET status = 'overridden' WHERE status = 'superseded';
      ALTER TABLE follow_up_changes DROP CONSTRAINT follow_up_changes_status_check;
      ALTER TABLE follow_up_changes ADD CONSTRAINT follow_up_changes_status_check CHECK (status IN ('proposed', 'confirmed', 'overridden'));
      DROP INDEX follow_up_plans_status_idx;
      ALTER TABLE follow_up_plans DROP COLUMN pathway_version, DROP COLUMN anchor_at, DROP COLUMN last_contact_at, DROP COLUMN review_due_at,
        DROP COLUMN status, DROP COLUMN status_since, DROP COLUMN assessment, DROP COLUMN assessed_at, DROP COLUMN assigned_to, DROP COLUMN escalated_at;
      DELETE FROM follow_up_plans WHERE pathway NOT IN ('diabetes', 'hypertension', 'post_surgery');
      ALTER TABLE follow_up_plans ADD CONSTRAINT follow_up_plans_pathway_check CHECK (pathway IN ('diabetes', 'hypertension', 'post_surgery'));
    `);
  }
}
