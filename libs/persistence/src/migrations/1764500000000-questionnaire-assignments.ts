import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Questionnaires given to a patient one at a time rather than on a pathway's schedule: the satisfaction survey
 * after each contact. An assignment names the contact (visit) and its clinician, stays open until answered,
 * superseded by the next contact's or expired, and links the response that answered it.
 */
export class QuestionnaireAssignments1764500000000 implements MigrationInterface {
  name = 'QuestionnaireAssignments1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE questionnaire_assignments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        patient_id uuid NOT NULL REFERENCES patients (id),
        instrument text NOT NULL,
        assigned_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        visit_id uuid REFERENCES visits (id),
        clinician_id uuid REFERENCES users (id),
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'superseded')),
        response_id uuid REFERENCES questionnaire_responses (id),
        closed_at timestamptz
      );
      CREATE INDEX questionnaire_assignments_open_idx ON questionnaire_assignments (patient_id, instrument) WHERE status = 'open';
      CREATE INDEX questionnaire_assignments_response_idx ON questionnaire_assignments (response_id);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE questionnaire_assignments');
  }
}
