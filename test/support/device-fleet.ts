import { deviceReadingsTopic, type DeviceReading } from '@rpm/contracts';
import { hashSecret } from '@rpm/security';
import { randomUUID } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { Client } from 'pg';
import type { DeviceCredential } from '../../device-simulators/src/simulated-device';

/** Registers `count` devices for one patient straight into PostgreSQL. */
export async function registerDevices(databaseUrl: string, patientId: string, count: number): Promise<DeviceCredential[]> {
  const label = randomUUID().slice(0, 6);
  const devices = Array.from({ length: count }, (_, n) => ({ deviceId: `fleet-${label}-${n}`, secret: `secret-${randomUUID()}` }));
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO devices (id, patient_id, kind, credential_hash)
       SELECT unnest($1::text[]), $2, 'wearable', unnest($3::text[])`,
      [devices.map((device) => device.deviceId), patientId, devices.map((device) => hashSecret(device.secret))],
    );
  } finally {
    await client.end();
  }
  return devices;
}

export const readingKey = (deviceId: string, seq: number) => `${deviceId}#${seq}`;

/**
 * Many devices publishing numbered heart-rate readings at QoS 1 with persistent sessions, as real
 * devices do: when the gateway goes away they reconnect and resend whatever it did not acknowledge.
 * `acknowledged` holds every reading the gateway sent a PUBACK for.
 */
export class DeviceFleet {
  readonly acknowledged = new Set<string>();
  private readonly base = Date.now() - 3600_000;

  private constructor(private readonly clients: { device: DeviceCredential; client: MqttClient }[]) {}

  static async connect(brokerUrl: string, devices: DeviceCredential[]): Promise<DeviceFleet> {
    const clients = await Promise.all(
      devices.map(async (device) => ({
        device,
        client: await connectAsync(brokerUrl, {
          protocolVersion: 4,
          clientId: device.deviceId,
          username: device.deviceId,
          password: device.secret,
          clean: false,
          reconnectPeriod: 100,
          connectTimeout: 3000,
        }),
      })),
    );
    return new DeviceFleet(clients);
  }

  reading(seq: number): DeviceReading {
    return { metric: 'heart_rate', value: 60 + (seq % 50), unit: 'bpm', measuredAt: new Date(this.base + seq * 1000).toISOString(), seq };
  }

  /** Each device publishes readings 0..count-1, `gapMs` apart; resolves when every one is acknowledged. */
  async publish(count: number, gapMs: number): Promise<void> {
    await Promise.all(
      this.clients.map(async ({ device, client }) => {
        for (let seq = 0; seq < count; seq++) {
          await client.publishAsync(deviceReadingsTopic(device.deviceId), JSON.stringify(this.reading(seq)), { qos: 1 });
          this.acknowledged.add(readingKey(device.deviceId, seq));
          if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
        }
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map(({ client }) => client.endAsync(true)));
  }
}
