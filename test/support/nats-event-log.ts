import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/** NATS with JetStream: the one the global setup found or started (test/support/nats-server.ts). */
export const TEST_NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/**
 * A reading log of its own for one test: a uniquely named stream (the apps create it), which `delete`
 * removes with its consumers, never touching another test's or the platform's.
 */
export class TestEventLog {
  readonly stream = `rpm_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

  constructor(readonly partitions = 8) {}

  /** The variables gateway and alerting need to use it. */
  get env(): Record<string, string> {
    return { EVENT_LOG_URL: TEST_NATS_URL, EVENT_LOG_STREAM: this.stream, EVENT_LOG_PARTITIONS: String(this.partitions) };
  }

  /** Events stored in the stream (0 before it exists). */
  async messages(): Promise<number> {
    return this.withManager(async (jsm) => {
      const info = await jsm.streams.info(this.stream).catch(() => undefined);
      return info?.state.messages ?? 0;
    });
  }

  /** Events stored per subject. */
  async subjects(): Promise<Record<string, number>> {
    return this.withManager(async (jsm) => {
      const info = await jsm.streams.info(this.stream, { subjects_filter: '>' });
      return (info.state.subjects ?? {}) as Record<string, number>;
    });
  }

  async delete(): Promise<void> {
    await this.withManager((jsm) => jsm.streams.delete(this.stream).catch(() => false));
  }

  private async withManager<T>(task: (jsm: Awaited<ReturnType<typeof jetstreamManager>>) => Promise<T>): Promise<T> {
    const connection = await connect({ servers: TEST_NATS_URL });
    try {
      return await task(await jetstreamManager(connection));
    } finally {
      await connection.close();
    }
  }
}

/** A gauge's value from a Prometheus text page (the first sample of that name). */
export async function scrapeGauge(metricsUrl: string, name: string): Promise<number | undefined> {
  const response = await fetch(metricsUrl).catch(() => undefined);
  if (!response?.ok) return undefined;
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(await response.text());
  return match ? Number(match[1]) : undefined;
}
