import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CLOCK, systemClock, type Clock } from '@rpm/clinical';
import { ALL_DEVICE_READINGS_TOPIC, deviceIdFromReadingsTopic } from '@rpm/contracts';
import { connected, withLogContext } from '@rpm/platform';
import { connect, type MqttClient } from 'mqtt';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DeviceDirectory } from '../devices/device-directory';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config';
import { ReadingIngestor } from '../ingest/reading-ingestor';
import { type BrokerPublisher } from './broker-publisher';

/**
 * External-broker mode: the broker (Mosquitto, EMQX, HiveMQ) authenticates devices and enforces topic
 * ACLs; gateway instances share the readings through an MQTT 5 shared subscription and acknowledge
 * each message only after it is spooled. A persistent session keeps messages across a gateway restart.
 */
@Injectable()
export class ExternalBrokerConsumer implements OnApplicationBootstrap, OnApplicationShutdown, BrokerPublisher {
  private readonly logger = new Logger(ExternalBrokerConsumer.name);
  private client?: MqttClient;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly devices: DeviceDirectory,
    private readonly ingestor: ReadingIngestor,
    // The time a reading is received at (simulated in the virtual clinic).
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {
    this.clock ??= systemClock;
  }

  /** Devices reach the external broker whether or not this client is connected: readiness does not hang on it. */
  get isUp(): boolean {
    return true;
  }

  async onApplicationBootstrap(): Promise<void> {
    const mqtt = this.config.mqtt;
    if (mqtt.mode !== 'external') return;
    // handleMessage must be in place before the CONNACK: a resumed session redelivers unacknowledged
    // messages right after it, and mqtt.js's default handler would acknowledge them unprocessed.
    const client = connect(mqtt.url, {
      protocolVersion: 5,
      clientId: mqtt.clientId ?? `rpm-gateway-${hostname()}`,
      clean: false,
      properties: { sessionExpiryInterval: 24 * 3600 },
      username: mqtt.username,
      password: mqtt.password,
      ca: mqtt.ca,
      reconnectPeriod: 1000,
    });
    this.client = client;
    // mqtt.js sends PUBACK when handleMessage calls back: call back only once the reading is spooled.
    client.handleMessage = (packet, callback) => {
      withLogContext({ eventId: randomUUID() }, () => this.handle(packet.topic, packet.payload as Buffer)).then(
        () => callback(),
        (error: Error) => {
          this.logger.error({ message: 'reading not acknowledged: spool unavailable; reconnecting so the broker redelivers', error: error.message });
          client.end(true, () => setTimeout(() => client.reconnect(), 1000));
        },
      );
    };
    await connected(client);
    await client.subscribeAsync(`$share/${mqtt.shareGroup}/${ALL_DEVICE_READINGS_TOPIC}`, { qos: 1 });
    this.logger.log({ message: 'consuming device readings from external broker', shareGroup: mqtt.shareGroup });
  }

  /** The external broker's subscriptions cannot be seen from here: every device gets its receipts. */
  wantsReceipts(): boolean {
    return true;
  }

  async publish(topic: string, payload: string, qos: 0 | 1): Promise<void> {
    if (!this.client) throw new Error('broker client not connected');
    await this.client.publishAsync(topic, payload, { qos });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client?.endAsync();
  }

  private async handle(topic: string, payload: Buffer): Promise<void> {
    const deviceId = deviceIdFromReadingsTopic(topic);
    const identity = deviceId ? await this.devices.identify(deviceId) : null;
    if (!identity) {
      this.logger.warn({ message: 'reading from an unknown or revoked device dropped', topic });
      return;
    }
    const { reply, replyTopic } = await withLogContext({ deviceId: identity.deviceId }, () =>
      this.ingestor.ingest(payload, { ...identity, receivedAt: this.clock.now() }),
    );
    if (replyTopic) await this.publish(replyTopic, JSON.stringify(reply), 1);
  }
}
