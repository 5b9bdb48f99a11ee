import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

export const TEST_INTERNAL_PASSWORD = 'internal-secret-for-tests';

export interface GatewayUnderTest {
  env: Record<string, string>;
  mqttPort: number;
  mqttUrl: string;
  httpUrl: string;
}

/** What a gateway under test needs besides its database: its own ports and spool directory. */
export async function gatewayEnv(databaseUrl: string, overrides: Record<string, string> = {}): Promise<GatewayUnderTest> {
  const [mqttPort, httpPort] = [await freePort(), await freePort()];
  return {
    mqttPort,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    env: {
      DATABASE_URL: databaseUrl,
      MQTT_HOST: '127.0.0.1',
      MQTT_PORT: String(mqttPort),
      GATEWAY_HTTP_HOST: '127.0.0.1',
      GATEWAY_HTTP_PORT: String(httpPort),
      SPOOL_DIR: await mkdtemp(path.join(tmpdir(), 'rpm-spool-')),
      INTERNAL_MQTT_PASSWORD: TEST_INTERNAL_PASSWORD,
      ...overrides,
    },
  };
}
