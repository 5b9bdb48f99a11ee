import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A clinician's mobile number, in E.164, for SMS alerts. */
export class UserPhone1763880000000 implements MigrationInterface {
  name = 'UserPhone1763880000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE users ADD COLUMN phone text CHECK (phone ~ '^\\+[1-9][0-9]{6,14}$')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE users DROP COLUMN phone');
  }
}
