import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  ACCEPTED_READINGS_TOPIC,
  readingEventId,
  readingPartitionOf,
  readingPartitionSubject,
  type AcceptedReadingsEvent,
  type NormalizedReading,
} from '@rpm/contracts';
import { closeReadingLog, openReadingLog, type ReadingLog } from '@rpm/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config';
import { BROKER_PUBLISHER, type BrokerPublisher } from './broker-publisher';

/** Where the drain announces the readings it stored, for alerting. Resolves once the announcement is durable. */
export interface ReadingAnnouncer {
  announce(readings: readonly NormalizedReading[]): Promise<void>;
}

export const READING_ANNOUNCER = Symbol('READING_ANNOUNCER');

const EVENT_CHUNK = 500;

/**
 * Without EVENT_LOG_URL: events of up to 500 readings on the broker's accepted-readings topic at QoS 1, for
 * one alerting process's persistent session. The broker's PUBACK to the gateway does not wait for alerting,
 * but a full session queue does, and nothing splits the readings between several alerting processes.
 */
@Injectable()
export class BrokerReadingAnnouncer implements ReadingAnnouncer {
  constructor(@Inject(BROKER_PUBLISHER) private readonly publisher: BrokerPublisher) {}

  async announce(readings: readonly NormalizedReading[]): Promise<void> {
    for (let start = 0; start < readings.length; start += EVENT_CHUNK) {
      const event: AcceptedReadingsEvent = { readings: readings.slice(start, start + EVENT_CHUNK) };
      await this.publisher.publish(ACCEPTED_READINGS_TOPIC, JSON.stringify(event), 1);
    }
  }
}

/**
 * With EVENT_LOG_URL: one event per reading on its patient's partition of the JetStream readings stream,
 * with the reading's identity as message id. It resolves on the stream's publish acknowledgements (stored
 * by NATS), never on a consumer: alerting reads the log at its own pace. A replayed drain publishes the same
 * ids again and the stream drops them (within its de-duplication window).
 */
@Injectable()
export class JetStreamReadingAnnouncer implements ReadingAnnouncer, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(JetStreamReadingAnnouncer.name);
  private log?: ReadingLog;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  async onModuleInit(): Promise<void> {
    this.log = await openReadingLog(this.config.eventLog!, 'gateway');
    this.logger.log({
      message: 'gateway announces readings on the reading log',
      stream: this.config.eventLog!.stream,
      partitions: this.config.eventLog!.partitions,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await closeReadingLog(this.log);
  }

  async announce(readings: readonly NormalizedReading[]): Promise<void> {
    const log = this.log;
    if (!log) throw new Error('reading log not connected yet');
    const { stream, partitions } = log.config;
    // All in flight at once: NATS acknowledges them in a pipeline, and one that fails fails the drain cycle, which retries the batch.
    await Promise.all(
      readings.map((reading) =>
        log.js.publish(
          readingPartitionSubject(stream, readingPartitionOf(reading.patientId, partitions)),
          JSON.stringify({ readings: [reading] } satisfies AcceptedReadingsEvent),
          {
            msgID: readingEventId(reading),
            expect: { streamName: stream },
          },
        ),
      ),
    );
  }
}
