import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APPLICATION_ROLE } from '../database-roles';

/**
 * The apps stop connecting as the owner of the schema. The role that runs migrations keeps owning every
 * table; the apps connect as a login role that is (or belongs to) `rpm_app`, which may read and write the
 * working tables but only INSERT and SELECT on audit_log: no UPDATE, DELETE, TRUNCATE, ALTER or DROP, so
 * it cannot disable the append-only trigger either. Tables that later migrations create (run by the same
 * owner) get the same working privileges through ALTER DEFAULT PRIVILEGES; an append-only table revokes
 * them in its own migration, as audit_log does here.
 *
 * Roles are cluster-wide and several databases may be migrated at once in one cluster (the tests do), so
 * creating the role tolerates a concurrent creator. An owner without CREATEROLE needs the role created by
 * an administrator first (docs/deployment.md, "Database roles").
 *
 * Audit entries also gain a `subject` (what an administrator created or changed: `user:<id>`, ...). It is
 * appended to the canonical text only when present (concat_ws skips NULLs), so the hashes of existing
 * entries do not change.
 */
export class LeastPrivilegeAudit1764100000000 implements MigrationInterface {
  name = 'LeastPrivilegeAudit1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${APPLICATION_ROLE}') THEN
          CREATE ROLE ${APPLICATION_ROLE} NOLOGIN;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$;

      DO $$ BEGIN
        EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO ${APPLICATION_ROLE}', current_database());
      END $$;
      REVOKE CREATE ON SCHEMA public FROM PUBLIC;
      GRANT USAGE ON SCHEMA public TO ${APPLICATION_ROLE};
      GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APPLICATION_ROLE};
      GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${APPLICATION_ROLE};
      ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${APPLICATION_ROLE};
      ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${APPLICATION_ROLE};
      REVOKE ALL ON audit_log FROM PUBLIC;
      REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_log FROM ${APPLICATION_ROLE};
      REVOKE ALL ON schema_migrations FROM ${APPLICATION_ROLE};

      ALTER TABLE audit_log ADD COLUMN subject text;
      CREATE OR REPLACE FUNCTION audit_log_canonical(entry audit_log) RETURNS text LANGUAGE sql IMMUTABLE AS $$
        SELECT concat_ws('|', entry.seq, to_char(entry.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
          coalesce(entry.user_id::text, ''), entry.action, coalesce(entry.patient_id::text, ''), entry.outcome, entry.request_id, entry.prev_hash,
          entry.subject)
      $$;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION audit_log_canonical(entry audit_log) RETURNS text LANGUAGE sql IMMUTABLE AS $$
        SELECT concat_ws('|', entry.seq, to_char(entry.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
          coalesce(entry.user_id::text, ''), entry.action, coalesce(entry.patient_id::text, ''), entry.outcome, entry.request_id, entry.prev_hash)
      $$;
      ALTER TABLE audit_log DROP COLUMN subject;
      ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM ${APPLICATION_ROLE};
      ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM ${APPLICATION_ROLE};
      REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${APPLICATION_ROLE};
      REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${APPLICATION_ROLE};
      REVOKE ALL ON SCHEMA public FROM ${APPLICATION_ROLE};
      DO $$ BEGIN
        EXECUTE format('REVOKE ALL ON DATABASE %I FROM ${APPLICATION_ROLE}', current_database());
      END $$;
    `);
  }
}
