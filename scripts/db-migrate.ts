import { enableApplicationLogin, migrateDatabase } from '@rpm/persistence';
import { startEmbeddedPostgres } from './embedded-postgres';

/**
 * `npm run db:migrate`: applies pending migrations as the schema's owner: DATABASE_MIGRATION_URL when set
 * (the apps' DATABASE_URL is then an application role that may not alter tables), else DATABASE_URL, else
 * the embedded database. With DATABASE_APP_PASSWORD it then lets the application role rpm_app log in with
 * that password (an owner allowed to alter roles, as the compose file's superuser is).
 */
async function main(): Promise<void> {
  const configuredUrl = process.env.DATABASE_MIGRATION_URL ?? process.env.DATABASE_URL;
  const embedded = configuredUrl ? undefined : await startEmbeddedPostgres(process.env.DATA_DIR ?? 'data', Number(process.env.EMBEDDED_POSTGRES_PORT ?? 54329));
  const url = configuredUrl ?? embedded!.url;
  try {
    const applied = await migrateDatabase(url);
    process.stdout.write(applied.length ? `applied migrations: ${applied.join(', ')}\n` : 'database schema is up to date\n');
    if (process.env.DATABASE_APP_PASSWORD) {
      await enableApplicationLogin(url, process.env.DATABASE_APP_PASSWORD);
      process.stdout.write('the application role rpm_app may log in with DATABASE_APP_PASSWORD\n');
    }
  } finally {
    await embedded?.stop();
  }
}

main().catch((error: Error) => {
  const permission = /permission denied|must be owner/.test(error.message)
    ? ' (migrations run as the owner of the schema: set DATABASE_MIGRATION_URL to the owner role, see docs/deployment.md "Database roles")'
    : '';
  process.stderr.write(`db:migrate failed: ${error.message}${permission}\n`);
  process.exit(1);
});
