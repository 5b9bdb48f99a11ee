import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createApplicationLogin, migrateDatabase } from '@rpm/persistence';

import { TEST_SERVICES_VARIABLE, type TestServices } from './test-services-variable';

export function testServices(): TestServices {
  const raw = process.env[TEST_SERVICES_VARIABLE];
  if (!raw) throw new Error('test services are not started: run the tests with `npm test` (jest global setup)');
  return JSON.parse(raw) as TestServices;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** A fresh, migrated database for one test file, so files never see each other's rows. */
export async function createTestDatabase(): Promise<string> {
  const { postgresAdminUrl, databasePrefix } = testServices();
  const name = `${databasePrefix}${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new Client({ connectionString: postgresAdminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(postgresAdminUrl, name);
  await migrateDatabase(url);
  return url;
}

/**
 * The same database as `databaseUrl` (from createTestDatabase), logged in as a new login role that holds
 * only the application's privileges (member of rpm_app), as the apps connect in production.
 */
export async function applicationRoleUrl(databaseUrl: string): Promise<string> {
  const login = `rpm_test_app_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  return createApplicationLogin(databaseUrl, login, randomBytes(18).toString('base64url'));
}

/** A fresh InfluxDB database name for one test file. */
export const uniqueInfluxDatabase = (): string => `rpm_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
