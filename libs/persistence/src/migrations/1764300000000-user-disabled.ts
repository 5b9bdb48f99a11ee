import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An administrator disables an account (a leaver, a lost device) without deleting it: its audit entries,
 * comments and contacts keep naming who did what, while it can no longer sign in and its sessions end.
 */
export class UserDisabled1764300000000 implements MigrationInterface {
  name = 'UserDisabled1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE users ADD COLUMN disabled_at timestamptz');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE users DROP COLUMN disabled_at');
  }
}
