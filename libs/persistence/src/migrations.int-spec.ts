import { createTestDatabase } from '../../../test/support/test-services';
import { createDataSource } from './data-source';

describe('migrations', () => {
  it('revert cleanly and re-apply, so every migration works in both directions', async () => {
    const dataSource = await createDataSource(await createTestDatabase()).initialize();
    try {
      const tables = async () =>
        (
          (await dataSource.query(
            `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY 1`,
          )) as { table_name: string }[]
        ).map((row) => row.table_name);
      const migrated = await tables();
      expect(migrated).toEqual(
        expect.arrayContaining(['alerts', 'audit_log', 'care_team_members', 'care_teams', 'devices', 'patients', 'readings', 'sessions', 'users']),
      );
      for (let i = 0; i < dataSource.migrations.length; i++) await dataSource.undoLastMigration();
      expect(await tables()).toEqual([]);
      await dataSource.runMigrations();
      expect(await tables()).toEqual(migrated);
      expect(await dataSource.showMigrations()).toBe(false);
    } finally {
      await dataSource.destroy();
    }
  });
});
