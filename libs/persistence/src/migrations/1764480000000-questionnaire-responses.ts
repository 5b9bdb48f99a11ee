import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Patient-reported outcomes: one row per completed questionnaire, its answers by item, and the score and band
 * computed when it was recorded (by the instrument version named, so a later version never rescores history).
 */
export class QuestionnaireResponses1764480000000 implements MigrationInterface {
  name = 'QuestionnaireResponses1764480000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE questionnaire_responses (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        patient_id uuid NOT NULL REFERENCES patients (id),
        instrument text NOT NULL,
        instrument_version int NOT NULL,
        answers jsonb NOT NULL,
        total int NOT NULL,
        band text NOT NULL,
        answered_at timestamptz NOT NULL,
        entered_by uuid REFERENCES users (id),
        source text NOT NULL CHECK (source IN ('clinician', 'patient')),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX questionnaire_responses_patient_idx ON questionnaire_responses (patient_id, answered_at DESC);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE questionnaire_responses');
  }
}
