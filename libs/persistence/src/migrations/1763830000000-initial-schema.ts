import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1763830000000 implements MigrationInterface {
  name = 'InitialSchema1763830000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL UNIQUE,
        display_name text NOT NULL,
        role text NOT NULL CHECK (role IN ('doctor', 'nurse', 'admin')),
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE care_teams (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL
      );
      CREATE TABLE care_team_members (
        care_team_id uuid NOT NULL REFERENCES care_teams (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        PRIMARY KEY (care_team_id, user_id)
      );
      CREATE INDEX care_team_members_user_idx ON care_team_members (user_id);
      CREATE TABLE patients (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        display_name text NOT NULL,
        programme text NOT NULL,
        care_team_id uuid NOT NULL REFERENCES care_teams (id),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX patients_care_team_idx ON patients (care_team_id);
      CREATE TABLE devices (
        id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,64}$'),
        patient_id uuid NOT NULL REFERENCES patients (id),
        kind text NOT NULL,
        credential_hash text NOT NULL,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX devices_patient_idx ON devices (patient_id);
      CREATE TABLE alerts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        patient_id uuid NOT NULL REFERENCES patients (id),
        rule_id text NOT NULL,
        rule_version integer NOT NULL,
        severity text NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
        title text NOT NULL,
        reason text NOT NULL,
        readings jsonb NOT NULL,
        opened_at timestamptz NOT NULL,
        last_reading_at timestamptz NOT NULL,
        acknowledged_at timestamptz,
        acknowledged_by uuid REFERENCES users (id),
        resolved_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      -- One live episode per patient and rule: the database, not the app, prevents alert storms.
      CREATE UNIQUE INDEX alerts_one_live_episode_idx ON alerts (patient_id, rule_id)
        WHERE status IN ('open', 'acknowledged');
      CREATE INDEX alerts_patient_status_idx ON alerts (patient_id, status);
      CREATE TABLE sessions (
        token_hash text PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        user_id uuid,
        action text NOT NULL,
        patient_id uuid,
        outcome text NOT NULL CHECK (outcome IN ('allowed', 'denied')),
        request_id text NOT NULL
      );
      -- The embedded time-series store, used when no InfluxDB is configured.
      CREATE TABLE readings (
        patient_id uuid NOT NULL,
        device_id text NOT NULL,
        metric text NOT NULL,
        measured_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        seq bigint,
        unit text NOT NULL,
        "values" jsonb NOT NULL,
        original jsonb NOT NULL,
        context jsonb NOT NULL
      );
      CREATE UNIQUE INDEX readings_identity_idx ON readings (device_id, metric, measured_at, (COALESCE(seq, -1)));
      CREATE INDEX readings_patient_metric_time_idx ON readings (patient_id, metric, measured_at);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TABLE readings;
      DROP TABLE audit_log;
      DROP TABLE sessions;
      DROP TABLE alerts;
      DROP TABLE devices;
      DROP TABLE patients;
      DROP TABLE care_team_members;
      DROP TABLE care_teams;
      DROP TABLE users;
    `);
  }
}
