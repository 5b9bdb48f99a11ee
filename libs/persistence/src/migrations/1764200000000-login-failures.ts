import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failed sign-ins counted per account (SHA-256 of the e-mail, known or not) and per client address, in
 * PostgreSQL so that a lockout holds across restarts and every API instance behind a load balancer.
 */
export class LoginFailures1764200000000 implements MigrationInterface {
  name = 'LoginFailures1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE login_failures (
        key text PRIMARY KEY,
        failures integer NOT NULL CHECK (failures >= 0),
        last_failure_at timestamptz NOT NULL
      );
      CREATE INDEX login_failures_age_idx ON login_failures (last_failure_at);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE login_failures');
  }
}
