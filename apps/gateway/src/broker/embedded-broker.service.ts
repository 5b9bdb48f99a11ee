import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { INTERNAL_SERVICE_USERNAME_PREFIX } from '@rpm/config';
import { deviceIdFromReadingsTopic, deviceReadingsTopic, deviceRepliesTopic } from '@rpm/contracts';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { DeviceDirectory, type DeviceIdentity } from '../devices/device-directory';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config';
import { OutboxRelay, type BrokerOutbox } from '../ingest/broker-outbox';
import { ReadingIngestor } from '../ingest/reading-ingestor';
import { GatewayMetrics } from '../observability/gateway-metrics';
import { TokenBucket } from './token-bucket';

type Identity = ({ kind: 'device'; bucket: TokenBucket } & DeviceIdentity) | { kind: 'service'; name: string };

/** MQTT 3.1.1 CONNACK return codes [MQTT-3.2.2.3]. */
const CONNACK_SERVER_UNAVAILABLE = 3;
const CONNACK_BAD_USERNAME_OR_PASSWORD = 4;
/** Bursts a device may send at once before the per-second limit applies (an offline backfill, say). */
const BURST_SECONDS = 5;

function authError(message: string, returnCode: number) {
  return Object.assign(new Error(message), { returnCode });
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class PortInUseError extends Error {}

/** The parts of aedes' per-client MQTT parser (mqtt-packet) we hook to refuse oversized packets early. */
interface PacketParser {
  packet: { length: number };
  _parseLength(): boolean;
}

/**
 * The embedded aedes broker. Policy lives in its hooks: authenticate devices by credential, let each
 * device publish only its own readings and subscribe only to its own replies, and ingest a QoS 1
 * reading inside authorizePublish, the one hook aedes runs before it sends PUBACK, so a PUBACK means
 * the reading is on disk. MQTT 3.1.1 has no negative PUBACK: a reading the gateway cannot take closes
 * the connection unacknowledged, and the device resends it.
 */
@Injectable()
export class EmbeddedBroker implements OnApplicationBootstrap, OnApplicationShutdown, BrokerOutbox {
  private readonly logger = new Logger(EmbeddedBroker.name);
  private readonly identities = new WeakMap<Client, Identity>();
  private readonly devicesOnline = new Map<string, Client>();
  private broker?: Aedes;
  private server?: Server;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly devices: DeviceDirectory,
    private readonly ingestor: ReadingIngestor,
    private readonly relay: OutboxRelay,
    private readonly metrics: GatewayMetrics,
  ) {}

  get isListening(): boolean {
    return this.server?.listening ?? false;
  }

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
          (error: Error & { returnCode?: number }) => {
            this.metrics.connectionsRefused.inc({ reason: 'authentication' });
            done(authError(error.message, error.returnCode ?? CONNACK_SERVER_UNAVAILABLE), false);
          },
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
          this.metrics.connectionsRefused.inc({ reason: 'topic_not_allowed' });
          this.logger.warn({ message: "publish refused: not the device's own readings topic", clientId: client.id });
          return done(new Error('not authorized to publish to this topic'));
        }
        if (!identity.bucket.take(Date.now())) {
          this.metrics.connectionsRefused.inc({ reason: 'rate_limited' });
          this.logger.warn({ message: 'device over its message rate; disconnected unacknowledged', deviceId: identity.deviceId });
          return done(new Error('rate limit exceeded'));
        }
        packet.retain = false;
        this.ingestor.ingest(packet.payload as Buffer, { deviceId: identity.deviceId, patientId: identity.patientId, receivedAt: new Date() }).then(
          () => done(null),
          (error: Error) => {
            this.metrics.connectionsRefused.inc({ reason: 'spool_unavailable' });
            this.logger.error({ message: 'reading not acknowledged: spool unavailable', deviceId: identity.deviceId, error: error.message });
            done(error);
          },
        );
      },
      // Device readings are consumed here, never routed to other clients.
      authorizeForward: (_client, packet) => (deviceIdFromReadingsTopic(packet.topic) ? null : packet),
    };
    const broker = await Aedes.createBroker(options);
    this.broker = broker;
    broker.on('clientReady', (client) => {
      const identity = this.identities.get(client);
      if (identity?.kind !== 'device') return;
      this.devicesOnline.set(identity.deviceId, client);
      this.metrics.connectedDevices.set(this.devicesOnline.size);
    });
    broker.on('clientDisconnect', (client) => {
      const identity = this.identities.get(client);
      if (identity?.kind !== 'device' || this.devicesOnline.get(identity.deviceId) !== client) return;
      this.devicesOnline.delete(identity.deviceId);
      this.metrics.connectedDevices.set(this.devicesOnline.size);
    });
    const server = createServer({ noDelay: true }, (socket) => this.limitPacketSize(broker.handle(socket), socket));
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
    this.relay.attach(this);
    this.logger.log({ message: 'embedded MQTT broker listening', host: mqtt.host, port: mqtt.port });
  }

  publish(topic: string, payload: string, qos: 0 | 1): Promise<void> {
    const broker = this.broker;
    if (!broker) return Promise.reject(new Error('broker not started'));
    return new Promise((resolve, reject) =>
      broker.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain: false, dup: false }, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
  }

  /** Closes a revoked device's connection at once. */
  disconnect(deviceId: string): void {
    const client = this.devicesOnline.get(deviceId);
    if (!client) return;
    this.logger.warn({ message: 'device revoked; connection closed', deviceId });
    client.close();
  }

  onlineDeviceIds(): string[] {
    return [...this.devicesOnline.keys()];
  }

  async onApplicationShutdown(): Promise<void> {
    // Stop accepting, then close the broker, which disconnects the clients the server waits for.
    const serverClosed = new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.broker ? this.broker.close(() => resolve()) : resolve()));
    await serverClosed;
  }

  /**
   * Closes a connection as soon as a packet header announces more than MAX_MESSAGE_KB, before its body
   * is buffered: aedes itself would accept the MQTT maximum of 256 MiB.
   */
  private limitPacketSize(client: Client, socket: Socket): void {
    const parser = (client as unknown as { _parser?: PacketParser })._parser;
    if (!parser || typeof parser._parseLength !== 'function') return;
    const parseLength = parser._parseLength.bind(parser);
    const maxBytes = this.config.limits.maxMessageBytes;
    parser._parseLength = () => {
      const complete = parseLength();
      if (complete && parser.packet.length > maxBytes) {
        this.metrics.connectionsRefused.inc({ reason: 'packet_too_large' });
        this.logger.warn({ message: 'packet over MAX_MESSAGE_KB; connection closed', bytes: parser.packet.length, clientId: client.id });
        socket.destroy();
        return false;
      }
      return complete;
    };
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
    const rate = this.config.limits.messagesPerSecond;
    return { kind: 'device', ...device, bucket: new TokenBucket(rate, rate * BURST_SECONDS, Date.now()) };
  }
}
