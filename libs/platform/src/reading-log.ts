import type { EventLogConfig } from '@rpm/config';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { connect } from '@nats-io/transport-node';

/**
 * How long the log keeps events whatever their consumers did: alerting down for longer than this loses
 * the oldest (the readings themselves stay in the store).
 */
const RETENTION_MS = 7 * 24 * 3600_000;
/**
 * A reading announced again within this window (a replayed drain after a gateway crash, or the same reading
 * through another gateway) is dropped by the log. Past it, alerting's episode logic absorbs the replay.
 */
export const READING_LOG_DEDUP_MS = 10 * 60_000;

export interface ReadingLog {
  connection: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  config: EventLogConfig;
}

/**
 * Connects to NATS (reconnecting for ever) and makes sure the readings stream exists, with one subject per
 * partition under `<stream>.` (file storage, limits retention, de-duplication by message id). Gateway and
 * alerting both call it, so either may start first.
 */
export async function openReadingLog(config: EventLogConfig, name: string): Promise<ReadingLog> {
  const connection = await connect({ servers: config.servers, name, maxReconnectAttempts: -1, reconnectTimeWait: 1000 });
  const jsm = await jetstreamManager(connection);
  const wanted = {
    name: config.stream,
    subjects: [`${config.stream}.*`],
    max_age: nanos(RETENTION_MS),
    duplicate_window: nanos(READING_LOG_DEDUP_MS),
    // Alerting reads the oldest unacknowledged event's time directly, for its lag.
    allow_direct: true,
  };
  try {
    await jsm.streams.info(config.stream);
  } catch {
    try {
      await jsm.streams.add(wanted);
    } catch (error) {
      // Another process created it meanwhile.
      await jsm.streams.info(config.stream).catch(() => Promise.reject(error));
    }
  }
  return { connection, js: jetstream(connection), jsm, config };
}

export async function closeReadingLog(log: ReadingLog | undefined): Promise<void> {
  if (!log || log.connection.isClosed()) return;
  await log.connection.drain().catch(() => log.connection.close());
}
