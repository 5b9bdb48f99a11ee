import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The follow-up nurses' own tasks (a patient asking through their reminder link to reschedule) live in
 * follow_up_tasks beside the dietitians' and psychologists': the discipline check admits nursing.
 */
export class NursingTasks1764490000000 implements MigrationInterface {
  name = 'NursingTasks1764490000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE follow_up_tasks DROP CONSTRAINT follow_up_tasks_discipline_check;
      ALTER TABLE follow_up_tasks ADD CONSTRAINT follow_up_tasks_discipline_check CHECK (discipline IN ('nursing', 'dietitian', 'psychologist'));
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DELETE FROM follow_up_tasks WHERE discipline = 'nursing';
      ALTER TABLE follow_up_tasks DROP CONSTRAINT follow_up_tasks_discipline_check;
      ALTER TABLE follow_up_tasks ADD CONSTRAINT follow_up_tasks_discipline_check CHECK (discipline IN ('dietitian', 'psychologist'));
    `);
  }
}
