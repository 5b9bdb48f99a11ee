import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alerting keeps each patient's rules and time zone in memory between readings and LISTENs on
 * patient_facts_changed to drop them when they change: a patient added or removed, their time zone
 * changed, a rule override written or removed. The payload is the patient's id.
 */
export class PatientFactsNotify1764530000000 implements MigrationInterface {
  name = 'PatientFactsNotify1764530000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION notify_patient_facts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_TABLE_NAME = 'patients' THEN
          PERFORM pg_notify('patient_facts_changed', COALESCE(NEW.id, OLD.id)::text);
        ELSE
          PERFORM pg_notify('patient_facts_changed', COALESCE(NEW.patient_id, OLD.patient_id)::text);
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER patients_facts_notify AFTER INSERT OR DELETE OR UPDATE OF time_zone ON patients
        FOR EACH ROW EXECUTE FUNCTION notify_patient_facts_changed();
      CREATE TRIGGER patient_rule_overrides_facts_notify AFTER INSERT OR UPDATE OR DELETE ON patient_rule_overrides
        FOR EACH ROW EXECUTE FUNCTION notify_patient_facts_changed();
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TRIGGER patient_rule_overrides_facts_notify ON patient_rule_overrides;
      DROP TRIGGER patients_facts_notify ON patients;
      DROP FUNCTION notify_patient_facts_changed();
    `);
  }
}
