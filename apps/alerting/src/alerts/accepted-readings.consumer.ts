import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ACCEPTED_READINGS_TOPIC, acceptedReadingsEventSchema } from '@rpm/contracts';
import { connected } from '@rpm/platform';
import { connect, type MqttClient } from 'mqtt';
import { ALERTING_CONFIG, type AlertingConfig } from '../alerting.config';
import { AlertingMetrics } from '../observability/alerting-metrics';
import { ReadingEvaluator } from './reading-evaluator';

/**
 * Receives the readings the gateway stored. A persistent session (clean: false) keeps events while
 * alerting is down, and a message is acknowledged only after its alerts are committed. When the broker
 * goes away (a gateway restart), mqtt.js reconnects every second and subscribes again if the broker
 * lost the session.
 */
@Injectable()
export class AcceptedReadingsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AcceptedReadingsConsumer.name);
  private client?: MqttClient;
  private lastEventAt?: number;
  private wasConnected = false;

  constructor(
    @Inject(ALERTING_CONFIG) private readonly config: AlertingConfig,
    private readonly evaluator: ReadingEvaluator,
    private readonly metrics: AlertingMetrics,
  ) {}

  get isConnected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Seconds since the last event was evaluated, or undefined when none has been since start. */
  lastEventAgeSeconds(now = Date.now()): number | undefined {
    return this.lastEventAt === undefined ? undefined : (now - this.lastEventAt) / 1000;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { url, username, password, clientId, ca } = this.config.mqtt;
    // handleMessage must be in place before the CONNACK: a resumed session redelivers unacknowledged
    // events right after it, and mqtt.js's default handler would acknowledge them unprocessed.
    const client = connect(url, { protocolVersion: 4, clientId, clean: false, username, password, ca, reconnectPeriod: 1000 });
    this.client = client;
    client.on('connect', () => this.connectionChanged(true));
    client.on('close', () => this.connectionChanged(false));
    client.handleMessage = (packet, callback) => {
      this.handle(packet.payload as Buffer).then(
        () => {
          this.lastEventAt = Date.now();
          this.metrics.eventsConsumed.inc();
          callback();
        },
        (error: Error) => {
          this.logger.error({ message: 'evaluation failed, event not acknowledged', error: error.message });
          client.end(true, () => setTimeout(() => client.reconnect(), 1000));
        },
      );
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

  private async handle(payload: Buffer): Promise<void> {
    const event = acceptedReadingsEventSchema.safeParse(JSON.parse(payload.toString()));
    if (!event.success) {
      this.logger.error({ message: 'malformed accepted-readings event dropped', issues: event.error.issues.length });
      return;
    }
    await this.evaluator.evaluate(event.data.readings);
  }
}
