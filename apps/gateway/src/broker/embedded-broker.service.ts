import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { INTERNAL_SERVICE_USERNAME_PREFIX } from '@rpm/config';
import { deviceIdFromReadingsTopic, deviceReadingsTopic, deviceRepliesTopic } from '@rpm/contracts';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { DeviceDirectory, type DeviceIdentity } from '../devices/device-directory';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config';
import { ReadingIngestor, type BrokerOutbox } from '../ingest/reading-ingestor';

type Identity = ({ kind: 'device' } & DeviceIdentity) | { kind: 'service'; name: string };

/** MQTT 3.1.1 CONNACK return codes [MQTT-3.2.2.3]. */
const CONNACK_SERVER_UNAVAILABLE = 3;
const CONNACK_BAD_USERNAME_OR_PASSWORD = 4;

function authError(message: string, returnCode: number) {
  return Object.assign(new Error(message), { returnCode });
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class PortInUseError extends Error {}

/**
 * The embedded aedes broker. Policy lives in its hooks: authenticate devices by credential, let each
 * device publish only its own readings and subscribe only to its own replies, and ingest a QoS 1
 * reading inside authorizePublish, the one hook aedes runs before it sends PUBACK, so a PUBACK means
 * the reading is stored.
 */
@Injectable()
export class EmbeddedBroker implements OnApplicationBootstrap, OnApplicationShutdown, BrokerOutbox {
  private readonly logger = new Logger(EmbeddedBroker.name);
  private readonly identities = new WeakMap<Client, Identity>();
  private broker?: Aedes;
  private server?: Server;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly devices: DeviceDirectory,
    private readonly ingestor: ReadingIngestor,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const mqtt = this.config.mqtt;
    if (mqtt.mode !== 'embedded') return;
    const options: AedesOptions = {
      maxClientsIdLength: 128,
      authenticate: (client, username, password, done) => {
        this.authenticate(username, password?.toString()).then(
          (identity) => {
            this.identities.set(client, identity);
            done(null, true);
          },
          (error: Error & { returnCode?: number }) => done(authError(error.message, error.returnCode ?? CONNACK_SERVER_UNAVAILABLE), false),
        );
      },
      authorizeSubscribe: (client, subscription, done) => {
        const identity = this.identities.get(client);
        const allowed =
          identity?.kind === 'device'
            ? subscription.topic === deviceRepliesTopic(identity.deviceId)
            : identity?.kind === 'service' && subscription.topic.startsWith('rpm/internal/');
        done(null, allowed ? subscription : null);
      },
      authorizePublish: (client, packet, done) => {
        if (!client) return done(null);
        const identity = this.identities.get(client);
        if (identity?.kind !== 'device' || packet.topic !== deviceReadingsTopic(identity.deviceId)) {
          this.logger.warn({ message: 'publish refused: not the device\'s own readings topic', clientId: client.id });
          return done(new Error('not authorized to publish to this topic'));
        }
        packet.retain = false;
        const origin = { ...identity, receivedAt: new Date() };
        this.ingestor.ingest(packet.payload as Buffer, origin, this).then(
          () => done(null),
          (error: Error) => {
            // No PUBACK: the connection closes and the device resends its unacknowledged reading.
            this.logger.error({ message: 'store unavailable, reading not acknowledged', deviceId: identity.deviceId, error: error.message });
            done(error);
          },
        );
      },
      // Device readings are consumed here, never routed to other clients.
      authorizeForward: (_client, packet) => (deviceIdFromReadingsTopic(packet.topic) ? null : packet),
    };
    const broker = await Aedes.createBroker(options);
    this.broker = broker;
    const server = createServer({ noDelay: true }, (socket) => broker.handle(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new PortInUseError(
                `MQTT port ${mqtt.port} on ${mqtt.host} is already in use (another MQTT broker such as Mosquitto?). ` +
                  'Set MQTT_PORT to a free port, e.g. MQTT_PORT=1884.',
              )
            : error,
        ),
      );
      server.listen(mqtt.port, mqtt.host, () => resolve());
    });
    this.logger.log({ message: 'embedded MQTT broker listening', host: mqtt.host, port: mqtt.port });
  }

  publish(topic: string, payload: string, qos: 0 | 1): Promise<void> {
    const broker = this.broker;
    if (!broker) return Promise.reject(new Error('broker not started'));
    return new Promise((resolve, reject) =>
      broker.publish(
        { cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain: false, dup: false },
        (error) => (error ? reject(error) : resolve()),
      ),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    // Stop accepting, then close the broker, which disconnects the clients the server waits for.
    const serverClosed = new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.broker ? this.broker.close(() => resolve()) : resolve()));
    await serverClosed;
  }

  private async authenticate(username: string | undefined, password: string | undefined): Promise<Identity> {
    if (!username || !password) throw authError('username and password are required', CONNACK_BAD_USERNAME_OR_PASSWORD);
    const mqtt = this.config.mqtt;
    if (username.startsWith(INTERNAL_SERVICE_USERNAME_PREFIX)) {
      if (mqtt.mode === 'embedded' && sameSecret(password, mqtt.internalPassword)) {
        return { kind: 'service', name: username.slice(INTERNAL_SERVICE_USERNAME_PREFIX.length) };
      }
      throw authError('bad service credential', CONNACK_BAD_USERNAME_OR_PASSWORD);
    }
    const device = await this.devices.authenticate(username, password);
    if (!device) {
      this.logger.warn({ message: 'device authentication failed', deviceId: username });
      throw authError('bad device credential', CONNACK_BAD_USERNAME_OR_PASSWORD);
    }
    return { kind: 'device', ...device };
  }
}
