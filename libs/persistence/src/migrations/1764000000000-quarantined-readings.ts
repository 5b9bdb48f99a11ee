import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Acknowledged readings the time-series store refused for their content, set aside by the gateway's
 * drainer so the rest keep flowing. One row per reading identity (reading_key): a reading refused again
 * after a replay is the same row, back in quarantine with the new reason. An operator lists them and
 * asks for a replay (`npm run quarantine`); the gateway puts requested rows back into its spool.
 */
export class QuarantinedReadings1764000000000 implements MigrationInterface {
  name = 'QuarantinedReadings1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE quarantined_readings (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        reading_key text NOT NULL UNIQUE,
        device_id text NOT NULL,
        patient_id text NOT NULL,
        reading jsonb NOT NULL,
        reason text NOT NULL,
        store text NOT NULL,
        attempts integer NOT NULL DEFAULT 1,
        quarantined_at timestamptz NOT NULL DEFAULT now(),
        replay_requested_at timestamptz,
        replayed_at timestamptz
      );
      CREATE INDEX quarantined_readings_pending_idx ON quarantined_readings (quarantined_at) WHERE replayed_at IS NULL;
      CREATE INDEX quarantined_readings_replay_idx ON quarantined_readings (id) WHERE replay_requested_at IS NOT NULL;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE quarantined_readings');
  }
}
