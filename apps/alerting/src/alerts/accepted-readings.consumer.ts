import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { canOpenUrgent, DEFAULT_RULES } from '@rpm/clinical';
import { ACCEPTED_READINGS_TOPIC, acceptedReadingsEventSchema, type NormalizedReading } from '@rpm/contracts';
import { connected } from '@rpm/platform';
import { connect, type MqttClient } from 'mqtt';
import { ALERTING_CONFIG, type AlertingConfig } from '../alerting.config';
import { AlertingMetrics } from '../observability/alerting-metrics';
import { deferPuback, puback } from './deferred-puback';
import { EvaluationLag } from './evaluation-lag';
import { EvaluationQueue, type Lane } from './evaluation-queue';
import { ReadingEvaluator } from './reading-evaluator';
import { ReadingsSource } from './readings-source';
import { ScheduledWindows } from './scheduled-windows';

/** Readings read ahead of evaluation at most: past it, alerting stops taking events until evaluation catches up. */
const MAX_PENDING_READINGS = 100_000;

/**
 * Receives the readings the gateway stored. A persistent session (clean: false) keeps events while
 * alerting is down, and a message is acknowledged only after its alerts are committed. Events are read
 * ahead into an EvaluationQueue, so a reading that can page is evaluated before the backlog in front of it.
 * When the broker goes away (a gateway restart), mqtt.js reconnects every second and subscribes again if
 * the broker lost the session.
 */
@Injectable()
export class AcceptedReadingsConsumer extends ReadingsSource implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AcceptedReadingsConsumer.name);
  private client?: MqttClient;
  private readonly queue: EvaluationQueue;
  private lastEventAt?: number;
  private wasConnected = false;

  constructor(
    @Inject(ALERTING_CONFIG) private readonly config: AlertingConfig,
    evaluator: ReadingEvaluator,
    lag: EvaluationLag,
    private readonly metrics: AlertingMetrics,
    @Optional() private readonly windows?: ScheduledWindows,
  ) {
    super();
    // Every reading stored reaches this subscription while it is connected (a lost one is redelivered after the
    // reconnect, when the windows were dropped): the windows hold while connected.
    if (windows) windows.trusted = () => this.isConnected;
    this.queue = new EvaluationQueue({
      laneOf: (reading) => this.laneOf(reading),
      evaluate: (readings) => evaluator.evaluate(readings),
      onFailure: (error) => {
        this.logger.error({ message: 'evaluation failed, events not acknowledged', error: error.message });
        // Reconnecting makes the broker deliver the unacknowledged events again.
        const client = this.client;
        client?.end(true, () => setTimeout(() => client.reconnect(), 1000));
      },
      onEvaluated: (count) => {
        this.lastEventAt = Date.now();
        lag.countEvaluated(count);
      },
    });
    lag.track(() => this.queue.oldestPendingAgeMs());
  }

  get isConnected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Seconds since readings were last evaluated, or undefined when none have been since start. */
  lastEventAgeSeconds(now = Date.now()): number | undefined {
    return this.lastEventAt === undefined ? undefined : (now - this.lastEventAt) / 1000;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { url, username, password, clientId, ca } = this.config.mqtt!;
    // handleMessage must be in place before the CONNACK: a resumed session redelivers unacknowledged
    // events right after it, and mqtt.js's default handler would acknowledge them unprocessed.
    const client = connect(url, { protocolVersion: 4, clientId, clean: false, username, password, ca, reconnectPeriod: 1000 });
    this.client = client;
    // The events of a lost connection come again on the next: acknowledging them there is the broker's redelivery's job.
    client.on('connect', () => {
      this.windows?.clear();
      this.connectionChanged(true);
    });
    client.on('close', () => {
      this.windows?.clear();
      this.queue.reset();
      this.connectionChanged(false);
    });
    client.handleMessage = (packet, callback) => {
      const readings = this.parse(packet.payload as Buffer);
      this.metrics.eventsConsumed.inc();
      // Stored before they were announced: the clock-triggered rules' windows take them in at once.
      this.windows?.observe(readings);
      const { messageId } = packet;
      if (packet.qos === 0 || messageId === undefined) {
        this.queue.add(readings, () => undefined);
        callback();
        return;
      }
      this.queue.add(readings, () => {
        if (client.connected) puback(client, messageId);
      });
      // Read on while the queue has room: the next event may hold a reading that pages.
      void this.queue.whenBelow(MAX_PENDING_READINGS).then(() => deferPuback(callback));
    };
    await connected(client);
    await client.subscribeAsync(ACCEPTED_READINGS_TOPIC, { qos: 1 });
    this.logger.log({ message: 'alerting subscribed to accepted readings' });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client?.endAsync();
  }

  private connectionChanged(connected: boolean): void {
    // mqtt.js emits close on every failed reconnect attempt: log the change, not each attempt.
    if (connected === this.wasConnected) return;
    this.wasConnected = connected;
    this.metrics.consumerConnected.set(connected ? 1 : 0);
    if (connected) this.logger.log({ message: 'alerting connected to the broker' });
    else this.logger.warn({ message: 'alerting lost the broker; reconnecting every second' });
  }

  private parse(payload: Buffer): NormalizedReading[] {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString());
    } catch {
      json = undefined;
    }
    const event = acceptedReadingsEventSchema.safeParse(json);
    if (!event.success) {
      this.logger.error({ message: 'malformed accepted-readings event dropped' });
      return [];
    }
    return event.data.readings;
  }

  private laneOf(reading: NormalizedReading): Lane {
    // Measured long ago: recorded as retrospective, never paged, so it can wait.
    if (Date.now() - Date.parse(reading.measuredAt) > this.config.lateReadingMs) return 'bulk';
    return canOpenUrgent(DEFAULT_RULES, reading) ? 'urgent' : 'live';
  }
}
