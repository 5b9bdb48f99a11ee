import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alert lifecycle (snooze, escalation, retrospective episodes, the rule as it fired), per-patient rule
 * overrides and time zones, and the delivery log of every notification attempt.
 */
export class AlertLifecycle1763860000000 implements MigrationInterface {
  name = 'AlertLifecycle1763860000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE patients ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';

      ALTER TABLE alerts DROP CONSTRAINT alerts_status_check;
      ALTER TABLE alerts ADD CONSTRAINT alerts_status_check CHECK (status IN ('open', 'acknowledged', 'snoozed', 'resolved'));
      DROP INDEX alerts_one_live_episode_idx;
      CREATE UNIQUE INDEX alerts_one_live_episode_idx ON alerts (patient_id, rule_id) WHERE status IN ('open', 'acknowledged', 'snoozed');
      ALTER TABLE alerts
        ADD COLUMN rule jsonb NOT NULL DEFAULT '{}'::jsonb,
        ADD COLUMN retrospective boolean NOT NULL DEFAULT false,
        ADD COLUMN snoozed_until timestamptz,
        ADD COLUMN escalated_at timestamptz,
        ADD COLUMN resolved_by uuid REFERENCES users (id),
        ADD COLUMN resolution text;
      CREATE INDEX alerts_escalation_idx ON alerts (created_at) WHERE status = 'open' AND escalated_at IS NULL AND NOT retrospective;

      CREATE TABLE patient_rule_overrides (
        patient_id uuid NOT NULL REFERENCES patients (id),
        rule_id text NOT NULL,
        version integer NOT NULL,
        disabled boolean NOT NULL DEFAULT false,
        params jsonb NOT NULL DEFAULT '{}'::jsonb,
        changed_by uuid REFERENCES users (id),
        changed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (patient_id, rule_id)
      );

      CREATE TABLE alert_deliveries (
        id bigserial PRIMARY KEY,
        alert_id uuid NOT NULL REFERENCES alerts (id),
        channel text NOT NULL,
        event text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        last_error text,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (alert_id, channel, event)
      );
      CREATE INDEX alert_deliveries_due_idx ON alert_deliveries (next_attempt_at) WHERE status = 'pending';

      -- The API streams alert changes to clinicians (server-sent events) from these notifications.
      CREATE FUNCTION notify_alert_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('alert_changed', json_build_object('alertId', NEW.id, 'patientId', NEW.patient_id, 'status', NEW.status)::text);
        RETURN NULL;
      END $$;
      CREATE TRIGGER alerts_changed_notify AFTER INSERT OR UPDATE OF status, escalated_at ON alerts
        FOR EACH ROW EXECUTE FUNCTION notify_alert_changed();
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TRIGGER alerts_changed_notify ON alerts;
      DROP FUNCTION notify_alert_changed();
      DROP TABLE alert_deliveries;
      DROP TABLE patient_rule_overrides;
      DROP INDEX alerts_escalation_idx;
      ALTER TABLE alerts DROP COLUMN rule, DROP COLUMN retrospective, DROP COLUMN snoozed_until, DROP COLUMN escalated_at,
        DROP COLUMN resolved_by, DROP COLUMN resolution;
      DELETE FROM alerts WHERE status = 'snoozed';
      DROP INDEX alerts_one_live_episode_idx;
      CREATE UNIQUE INDEX alerts_one_live_episode_idx ON alerts (patient_id, rule_id) WHERE status IN ('open', 'acknowledged');
      ALTER TABLE alerts DROP CONSTRAINT alerts_status_check;
      ALTER TABLE alerts ADD CONSTRAINT alerts_status_check CHECK (status IN ('open', 'acknowledged', 'resolved'));
      ALTER TABLE patients DROP COLUMN time_zone;
    `);
  }
}
