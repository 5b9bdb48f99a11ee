import { ACCEPTED_READINGS_TOPIC, deviceRepliesTopic, type AcceptedReadingsEvent, type DeviceReply, type NormalizedReading } from '@rpm/contracts';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { Client } from 'pg';
import { TEST_INTERNAL_PASSWORD } from './gateway-env';
import { repoRoot } from './repo-root';

/** A device over real MQTT (QoS 1) that records what the gateway tells it on its replies topic. */
export interface ListeningDevice {
  client: MqttClient;
  replies: DeviceReply[];
}

export async function connectListeningDevice(mqttUrl: string, device: { deviceId: string; secret: string }): Promise<ListeningDevice> {
  const client = await connectAsync(mqttUrl, {
    protocolVersion: 4,
    clientId: device.deviceId,
    username: device.deviceId,
    password: device.secret,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
  const replies: DeviceReply[] = [];
  client.on('message', (_topic, payload) => replies.push(JSON.parse(payload.toString()) as DeviceReply));
  await client.subscribeAsync(deviceRepliesTopic(device.deviceId), { qos: 1 });
  return { client, replies };
}

/** What alerting hears: every reading the gateway announces as stored, keyed `deviceId#seq`. */
export class AnnouncementListener {
  readonly keys = new Set<string>();

  private constructor(private readonly client: MqttClient) {
    client.on('message', (_topic, payload) => {
      for (const reading of (JSON.parse(payload.toString()) as AcceptedReadingsEvent).readings) this.keys.add(`${reading.deviceId}#${reading.seq}`);
    });
  }

  static async start(mqttUrl: string): Promise<AnnouncementListener> {
    const client = await connectAsync(mqttUrl, {
      protocolVersion: 4,
      // The gateway binds a service's client id to its user name.
      clientId: `service:test-listener-${randomUUID().slice(0, 8)}`,
      username: 'service:test-listener',
      password: TEST_INTERNAL_PASSWORD,
      reconnectPeriod: 0,
    });
    await client.subscribeAsync(ACCEPTED_READINGS_TOPIC, { qos: 1 });
    return new AnnouncementListener(client);
  }

  close(): Promise<void> {
    return this.client.endAsync(true);
  }
}

export interface QuarantineRow {
  id: string;
  deviceId: string;
  reading: NormalizedReading;
  reason: string;
  store: string;
  attempts: number;
  replayedAt: Date | null;
}

export async function quarantineRows(databaseUrl: string): Promise<QuarantineRow[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      'SELECT id, device_id AS "deviceId", reading, reason, store, attempts, replayed_at AS "replayedAt" FROM quarantined_readings ORDER BY id',
    );
    return rows as QuarantineRow[];
  } finally {
    await client.end();
  }
}

/** `npm run quarantine -- ...args` as an operator runs it (from dist/, built by the test run). */
export function runQuarantineCli(databaseUrl: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(repoRoot(), 'dist/scripts/quarantine.js'), ...args],
      { env: { ...process.env, DATABASE_URL: databaseUrl }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The value of one Prometheus sample line, e.g. metricValue(text, 'x_total{reason="y"}'). */
export function metricValue(text: string, sample: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : NaN;
}
