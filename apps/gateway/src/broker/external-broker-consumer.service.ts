import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ALL_DEVICE_READINGS_TOPIC, deviceIdFromReadingsTopic } from '@rpm/contracts';
import { connected } from '@rpm/platform';
import { connect, type MqttClient } from 'mqtt';
import { hostname } from 'node:os';
import { DeviceDirectory } from '../devices/device-directory';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config';
import { OutboxRelay, type BrokerOutbox } from '../ingest/broker-outbox';
import { ReadingIngestor } from '../ingest/reading-ingestor';

/**
 * External-broker mode: the broker (Mosquitto, EMQX, HiveMQ) authenticates devices and enforces topic
 * ACLs; gateway instances share the readings through an MQTT 5 shared subscription and acknowledge
 * each message only after it is spooled. A persistent session keeps messages across a gateway restart.
 */
@Injectable()
export class ExternalBrokerConsumer implements OnApplicationBootstrap, OnApplicationShutdown, BrokerOutbox {
  private readonly logger = new Logger(ExternalBrokerConsumer.name);
  private client?: MqttClient;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly devices: DeviceDirectory,
    private readonly ingestor: ReadingIngestor,
    private readonly relay: OutboxRelay,
  ) {}

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
      this.handle(packet.topic, packet.payload as Buffer).then(
        () => callback(),
        (error: Error) => {
          this.logger.error({ message: 'reading not acknowledged: spool unavailable; reconnecting so the broker redelivers', error: error.message });
          client.end(true, () => setTimeout(() => client.reconnect(), 1000));
        },
      );
    };
    await connected(client);
    this.relay.attach(this);
    await client.subscribeAsync(`$share/${mqtt.shareGroup}/${ALL_DEVICE_READINGS_TOPIC}`, { qos: 1 });
    this.logger.log({ message: 'consuming device readings from external broker', shareGroup: mqtt.shareGroup });
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
    await this.ingestor.ingest(payload, { ...identity, receivedAt: new Date() });
  }
}
