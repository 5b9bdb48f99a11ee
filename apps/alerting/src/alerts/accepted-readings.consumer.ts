import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ACCEPTED_READINGS_TOPIC, acceptedReadingsEventSchema } from '@rpm/contracts';
import { connected } from '@rpm/platform';
import { connect, type MqttClient } from 'mqtt';
import { ALERTING_CONFIG, type AlertingConfig } from '../alerting.config';
import { ReadingEvaluator } from './reading-evaluator';

/**
 * Receives the readings the gateway stored. A persistent session (clean: false) keeps events while
 * alerting is down, and a message is acknowledged only after its alerts are committed.
 */
@Injectable()
export class AcceptedReadingsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AcceptedReadingsConsumer.name);
  private client?: MqttClient;

  constructor(
    @Inject(ALERTING_CONFIG) private readonly config: AlertingConfig,
    private readonly evaluator: ReadingEvaluator,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { url, username, password, clientId, ca } = this.config.mqtt;
    // handleMessage must be in place before the CONNACK: a resumed session redelivers unacknowledged
    // events right after it, and mqtt.js's default handler would acknowledge them unprocessed.
    const client = connect(url, { protocolVersion: 4, clientId, clean: false, username, password, ca, reconnectPeriod: 1000 });
    this.client = client;
    client.handleMessage = (packet, callback) => {
      this.handle(packet.payload as Buffer).then(
        () => callback(),
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

  private async handle(payload: Buffer): Promise<void> {
    const event = acceptedReadingsEventSchema.safeParse(JSON.parse(payload.toString()));
    if (!event.success) {
      this.logger.error({ message: 'malformed accepted-readings event dropped', issues: event.error.issues.length });
      return;
    }
    await this.evaluator.evaluate(event.data.readings);
  }
}
