import { migrateDatabase } from '@rpm/persistence';
import { startEmbeddedPostgres } from './embedded-postgres';

/** `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database. */
async function main(): Promise<void> {
  const embedded = process.env.DATABASE_URL
    ? undefined
    : await startEmbeddedPostgres(process.env.DATA_DIR ?? 'data', Number(process.env.EMBEDDED_POSTGRES_PORT ?? 54329));
  const url = process.env.DATABASE_URL ?? embedded!.url;
  try {
    const applied = await migrateDatabase(url);
    process.stdout.write(applied.length ? `applied migrations: ${applied.join(', ')}\n` : 'database schema is up to date\n');
  } finally {
    await embedded?.stop();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`db:migrate failed: ${error.message}\n`);
  process.exit(1);
});
