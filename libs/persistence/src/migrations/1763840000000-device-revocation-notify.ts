import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Gateways LISTEN on device_revoked so a revoked device is disconnected at once, not at its next login. */
export class DeviceRevocationNotify1763840000000 implements MigrationInterface {
  name = 'DeviceRevocationNotify1763840000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION notify_device_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('device_revoked', OLD.id);
        RETURN NULL;
      END $$;
      CREATE TRIGGER devices_revoked_notify
        AFTER UPDATE OF revoked_at, credential_hash OR DELETE ON devices
        FOR EACH ROW EXECUTE FUNCTION notify_device_revoked();
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TRIGGER devices_revoked_notify ON devices;
      DROP FUNCTION notify_device_revoked();
    `);
  }
}
