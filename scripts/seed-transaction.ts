import { Client } from 'pg';

/**
 * Runs a one-time seed in a single transaction on its own connection: `work` returns false when the
 * database already holds what it would add, and then nothing is written.
 */
export async function seedOnce(
  databaseUrl: string,
  isPresent: (client: Client) => Promise<boolean>,
  work: (client: Client) => Promise<void>,
): Promise<boolean> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    if (await isPresent(client)) return false;
    await client.query('BEGIN');
    await work(client);
    await client.query('COMMIT');
    return true;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
