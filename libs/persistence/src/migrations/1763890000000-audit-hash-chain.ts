import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log becomes tamper-evident and append-only: each entry carries the SHA-256 of its content and
 * of the entry before it (appends serialised by an advisory lock, numbered by seq), and UPDATE or DELETE
 * raises. `npm run audit:verify` recomputes the chain.
 */
export class AuditHashChain1763890000000 implements MigrationInterface {
  name = 'AuditHashChain1763890000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE audit_log ADD COLUMN seq bigint, ADD COLUMN prev_hash text, ADD COLUMN hash text;

      CREATE FUNCTION audit_log_canonical(entry audit_log) RETURNS text LANGUAGE sql IMMUTABLE AS $$
        SELECT concat_ws('|', entry.seq, to_char(entry.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
          coalesce(entry.user_id::text, ''), entry.action, coalesce(entry.patient_id::text, ''), entry.outcome, entry.request_id, entry.prev_hash)
      $$;

      CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE last audit_log;
      BEGIN
        PERFORM pg_advisory_xact_lock(7272746);
        SELECT * INTO last FROM audit_log WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1;
        NEW.seq := coalesce(last.seq, 0) + 1;
        NEW.prev_hash := coalesce(last.hash, repeat('0', 64));
        NEW.hash := encode(sha256(convert_to(audit_log_canonical(NEW), 'UTF8')), 'hex');
        RETURN NEW;
      END $$;
      CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_chain();

      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: entries cannot be changed or deleted';
      END $$;
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
      CREATE UNIQUE INDEX audit_log_seq_idx ON audit_log (seq);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TRIGGER audit_log_append_only ON audit_log;
      DROP FUNCTION audit_log_append_only();
      DROP TRIGGER audit_log_chain ON audit_log;
      DROP FUNCTION audit_log_chain();
      DROP FUNCTION audit_log_canonical(audit_log);
      DROP INDEX audit_log_seq_idx;
      ALTER TABLE audit_log DROP COLUMN seq, DROP COLUMN prev_hash, DROP COLUMN hash;
    `);
  }
}
