import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Multidisciplinary members of the care team: dietitians and psychologists are staff roles, and their
 * follow-up tasks record who created and completed them, with the outcome. A task's discipline is one of
 * the staff roles that carry tasks.
 */
export class MultidisciplinaryTasks1764460000000 implements MigrationInterface {
  name = 'MultidisciplinaryTasks1764460000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE users DROP CONSTRAINT users_role_check;
      ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('doctor', 'nurse', 'admin', 'dietitian', 'psychologist'));
      ALTER TABLE follow_up_tasks
        ADD COLUMN created_by uuid REFERENCES users (id),
        ADD COLUMN done_by uuid REFERENCES users (id),
        ADD COLUMN outcome text,
        ADD CONSTRAINT follow_up_tasks_discipline_check CHECK (discipline IN ('dietitian', 'psychologist'));
      CREATE INDEX follow_up_tasks_assignee_idx ON follow_up_tasks (assigned_to, status, due_at);
      CREATE INDEX follow_up_tasks_patient_idx ON follow_up_tasks (patient_id, created_at);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP INDEX follow_up_tasks_patient_idx;
      DROP INDEX follow_up_tasks_assignee_idx;
      ALTER TABLE follow_up_tasks DROP CONSTRAINT follow_up_tasks_discipline_check, DROP COLUMN outcome, DROP COLUMN done_by, DROP COLUMN created_by;
      -- A role the old schema cannot hold: kept as a disabled nurse, so every reference to the account stays valid.
      UPDATE users SET disabled_at = coalesce(disabled_at, now()), role = 'nurse' WHERE role IN ('dietitian', 'psychologist');
      ALTER TABLE users DROP CONSTRAINT users_role_check;
      ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('doctor', 'nurse', 'admin'));
    `);
  }
}
