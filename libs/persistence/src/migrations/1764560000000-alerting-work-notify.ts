import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alerting's queues wake on PostgreSQL notifications instead of polling every 2 to 5 s (issue 15: an idle
 * platform ran four queries every couple of seconds for nothing). Each trigger tells on channel alerting_work
 * which job has work; the payload is the job's name. Only rows that change what a job does notify:
 *  - a delivery queued (an INSERT that inserted a row; ON CONFLICT DO NOTHING inserts none) -> deliveries;
 *  - a sign-in link requested -> patient-sign-in-links;
 *  - an alert raised from a questionnaire answer (by the API) -> patient-reported-alerts;
 *  - an alert whose escalation time is set or moved: opened live, raised in severity, snoozed, or open again
 *    -> escalation (which then sets a timer for the due time; nothing is escalated at insert).
 * pg_notify folds the same payload within one transaction into one notification. Alerting still polls on a
 * long interval (JOBS_FALLBACK_POLL_SECONDS) in case a notification is lost with its connection.
 */
export class AlertingWorkNotify1764560000000 implements MigrationInterface {
  name = 'AlertingWorkNotify1764560000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION notify_alerting_work() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('alerting_work', TG_ARGV[0]);
        RETURN NULL;
      END $$;
      CREATE TRIGGER alert_deliveries_work_notify AFTER INSERT ON alert_deliveries
        FOR EACH ROW WHEN (NEW.status = 'pending') EXECUTE FUNCTION notify_alerting_work('deliveries');
      CREATE TRIGGER patient_sign_in_links_work_notify AFTER INSERT ON patient_sign_in_links
        FOR EACH ROW WHEN (NEW.status = 'pending') EXECUTE FUNCTION notify_alerting_work('patient-sign-in-links');
      CREATE TRIGGER alerts_patient_reported_work_notify AFTER INSERT ON alerts
        FOR EACH ROW WHEN (NEW.rule_id LIKE 'questionnaire.%') EXECUTE FUNCTION notify_alerting_work('patient-reported-alerts');
      CREATE TRIGGER alerts_escalation_insert_notify AFTER INSERT ON alerts
        FOR EACH ROW WHEN (NEW.status IN ('open', 'snoozed') AND NOT NEW.retrospective) EXECUTE FUNCTION notify_alerting_work('escalation');
      CREATE TRIGGER alerts_escalation_update_notify AFTER UPDATE OF status, severity, snoozed_until ON alerts
        FOR EACH ROW WHEN (
          NEW.severity IS DISTINCT FROM OLD.severity
          OR (NEW.status = 'snoozed' AND NEW.snoozed_until IS DISTINCT FROM OLD.snoozed_until)
          OR (NEW.status = 'open' AND OLD.status <> 'open'))
        EXECUTE FUNCTION notify_alerting_work('escalation');
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TRIGGER alerts_escalation_update_notify ON alerts;
      DROP TRIGGER alerts_escalation_insert_notify ON alerts;
      DROP TRIGGER alerts_patient_reported_work_notify ON alerts;
      DROP TRIGGER patient_sign_in_links_work_notify ON patient_sign_in_links;
      DROP TRIGGER alert_deliveries_work_notify ON alert_deliveries;
      DROP FUNCTION notify_alerting_work();
    `);
  }
}
