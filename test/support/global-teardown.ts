import { Client } from 'pg';
import { TEST_SERVICES_VARIABLE, type TestServices } from './test-services-variable';

/** Drops the databases this run created (they outlive the run on a shared server), then stops servers. */
async function dropTestDatabases(services: TestServices): Promise<void> {
  const admin = new Client({ connectionString: services.postgresAdminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [services.databasePrefix]);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export default async function globalTeardown(): Promise<void> {
  const raw = process.env[TEST_SERVICES_VARIABLE];
  if (raw) await dropTestDatabases(JSON.parse(raw) as TestServices);
  const servers = globalThis.rpmTestServers;
  await Promise.all([servers?.influxd?.stop(), servers?.postgres.stop(), servers?.nats.stop()]);
}
