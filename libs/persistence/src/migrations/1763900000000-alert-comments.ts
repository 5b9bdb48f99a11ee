import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Clinicians' notes on an alert (what was done, who was called), kept beside it in time order. */
export class AlertComments1763900000000 implements MigrationInterface {
  name = 'AlertComments1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE alert_comments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        alert_id uuid NOT NULL REFERENCES alerts (id),
        author_id uuid NOT NULL REFERENCES users (id),
        text text NOT NULL CHECK (length(text) BETWEEN 1 AND 4000),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX alert_comments_alert_idx ON alert_comments (alert_id, created_at);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE alert_comments');
  }
}
