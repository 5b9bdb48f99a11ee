import { ensureInstalled } from './debian-packages';
import { InfluxdServer } from './influxd-server';
import { PostgresServer } from './postgres-server';
import { TEST_SERVICES_VARIABLE, type TestServices } from './test-services-variable';

declare global {
  var rpmTestServers: { influxd?: InfluxdServer; postgres: PostgresServer } | undefined;
}

export default async function globalSetup(): Promise<void> {
  // The README's quick start is tested with a client this project did not write.
  ensureInstalled('mosquitto_pub', 'mosquitto-clients');
  const [postgres, influxd] = await Promise.all([PostgresServer.start(), process.env.TEST_INFLUX_URL ? Promise.resolve(undefined) : InfluxdServer.start()]);
  globalThis.rpmTestServers = { postgres, influxd };
  const services: TestServices = {
    postgresAdminUrl: postgres.adminUrl,
    influxUrl: process.env.TEST_INFLUX_URL ?? influxd!.url,
    databasePrefix: `rpm_test_${Date.now().toString(36)}_`,
  };
  process.env[TEST_SERVICES_VARIABLE] = JSON.stringify(services);
}
