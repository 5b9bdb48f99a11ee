import { ensureInstalled } from './debian-packages';
import { InfluxdServer } from './influxd-server';
import { NatsServer } from './nats-server';
import { PostgresServer } from './postgres-server';
import { TEST_SERVICES_VARIABLE, type TestServices } from './test-services-variable';

declare global {
  var rpmTestServers: { influxd?: InfluxdServer; postgres: PostgresServer; nats: NatsServer } | undefined;
}

export default async function globalSetup(): Promise<void> {
  // The README's quick start is tested with a client this project did not write.
  ensureInstalled('mosquitto_pub', 'mosquitto-clients');
  const [postgres, influxd, nats] = await Promise.all([
    PostgresServer.start(),
    process.env.TEST_INFLUX_URL ? Promise.resolve(undefined) : InfluxdServer.start(),
    NatsServer.start(),
  ]);
  globalThis.rpmTestServers = { postgres, influxd, nats };
  // The reading-log tests read it (test/support/nats-event-log.ts); Jest's workers inherit it.
  process.env.TEST_NATS_URL = nats.url;
  const services: TestServices = {
    postgresAdminUrl: postgres.adminUrl,
    influxUrl: process.env.TEST_INFLUX_URL ?? influxd!.url,
    databasePrefix: `rpm_test_${Date.now().toString(36)}_`,
  };
  process.env[TEST_SERVICES_VARIABLE] = JSON.stringify(services);
}
