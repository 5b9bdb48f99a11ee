import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One live alert per patient and episode (a condition several rules describe: the systolic and diastolic
 * crisis rules, the two hypoglycaemia levels, the two CGM-stale tiers), instead of one per rule. A more
 * severe firing in the same episode raises the live alert's severity; `severity_changes` keeps each raise.
 * `raised_at` is when alerting raised the alert (the evaluation time), apart from `opened_at`, when the
 * condition began (for a missing-data alert: the last reading's time).
 * Rows written without an episode (fixtures, older code) take their rule id as episode.
 */
export class AlertEpisodes1764410000000 implements MigrationInterface {
  name = 'AlertEpisodes1764410000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE alerts
        ADD COLUMN episode text,
        ADD COLUMN raised_at timestamptz,
        ADD COLUMN severity_changes jsonb NOT NULL DEFAULT '[]'::jsonb;
      -- Earlier alerts did not record when they were raised: a missing-data alert about when it was written, any other
      -- about when its condition began (exact for a single reading, the start of the run for a run of readings).
      UPDATE alerts SET raised_at = greatest(opened_at, created_at) WHERE rule->>'kind' = 'missing_data';
      UPDATE alerts SET raised_at = opened_at WHERE raised_at IS NULL;
      -- The episodes of the programme's default rules when this migration was written (default-rules.ts).
      UPDATE alerts SET episode = CASE rule_id
          WHEN 'glucose.level1_hypo' THEN 'glucose-low' WHEN 'glucose.level2_hypo' THEN 'glucose-low'
          WHEN 'glucose.level2_hyper' THEN 'glucose-high' WHEN 'glucose.hhs_range' THEN 'glucose-high'
          WHEN 'glucose.falling_fast' THEN 'glucose-falling' WHEN 'glucose.falling_very_fast' THEN 'glucose-falling'
          WHEN 'glucose.cgm_stale' THEN 'cgm-stale' WHEN 'glucose.cgm_stale_urgent' THEN 'cgm-stale'
          WHEN 'bp.crisis_systolic' THEN 'bp-crisis' WHEN 'bp.crisis_diastolic' THEN 'bp-crisis'
          WHEN 'spo2.low' THEN 'spo2-low' WHEN 'spo2.low_urgent' THEN 'spo2-low'
          WHEN 'heart_rate.high' THEN 'heart-rate-high' WHEN 'heart_rate.very_high' THEN 'heart-rate-high'
          ELSE rule_id END;
      -- Live alerts that now share an episode: the most severe (then the oldest) stays live, the others are merged into it.
      WITH ranked AS (
        SELECT id, row_number() OVER (PARTITION BY patient_id, episode
                 ORDER BY CASE severity WHEN 'urgent' THEN 2 WHEN 'warning' THEN 1 ELSE 0 END DESC, opened_at, id) AS n
          FROM alerts WHERE status IN ('open', 'acknowledged', 'snoozed'))
      UPDATE alerts SET status = 'resolved', resolved_at = now(), resolution = 'merged into the episode''s live alert'
        FROM ranked WHERE ranked.id = alerts.id AND ranked.n > 1;
      ALTER TABLE alerts ALTER COLUMN episode SET NOT NULL, ALTER COLUMN raised_at SET NOT NULL, ALTER COLUMN raised_at SET DEFAULT now();

      CREATE FUNCTION alerts_default_episode() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.episode := COALESCE(NEW.episode, NEW.rule_id);
        RETURN NEW;
      END $$;
      CREATE TRIGGER alerts_default_episode BEFORE INSERT ON alerts FOR EACH ROW EXECUTE FUNCTION alerts_default_episode();

      DROP INDEX alerts_one_live_episode_idx;
      CREATE UNIQUE INDEX alerts_one_live_episode_idx ON alerts (patient_id, episode) WHERE status IN ('open', 'acknowledged', 'snoozed');
      CREATE INDEX alerts_resolved_episode_idx ON alerts (patient_id, episode, opened_at) WHERE status = 'resolved';

      -- A raise of severity is an alert change the clinicians' live stream tells.
      DROP TRIGGER alerts_changed_notify ON alerts;
      CREATE TRIGGER alerts_changed_notify AFTER INSERT OR UPDATE OF status, escalated_at, severity ON alerts
        FOR EACH ROW EXECUTE FUNCTION notify_alert_changed();

      -- Deliveries are claimed (claimed_until, claimed_by) and sent outside any transaction.
      ALTER TABLE alert_deliveries ADD COLUMN claimed_until timestamptz, ADD COLUMN claimed_by text;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE alert_deliveries DROP COLUMN claimed_until, DROP COLUMN claimed_by;
      DROP TRIGGER alerts_changed_notify ON alerts;
      CREATE TRIGGER alerts_changed_notify AFTER INSERT OR UPDATE OF status, escalated_at ON alerts
        FOR EACH ROW EXECUTE FUNCTION notify_alert_changed();
      DROP INDEX alerts_resolved_episode_idx;
      DROP INDEX alerts_one_live_episode_idx;
      -- Live alerts are one per rule again: one per episode is at most one per rule.
      CREATE UNIQUE INDEX alerts_one_live_episode_idx ON alerts (patient_id, rule_id) WHERE status IN ('open', 'acknowledged', 'snoozed');
      DROP TRIGGER alerts_default_episode ON alerts;
      DROP FUNCTION alerts_default_episode();
      ALTER TABLE alerts DROP COLUMN episode, DROP COLUMN raised_at, DROP COLUMN severity_changes;
    `);
  }
}
