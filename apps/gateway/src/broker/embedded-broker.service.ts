import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CLOCK, systemClock, type Clock } from '@rpm/clinical';
import { INTERNAL_SERVICE_USERNAME_PREFIX } from '@rpm/config';
import { deviceIdFromReadingsTopic, deviceReadingsTopic, deviceReceiptsTopic, deviceRepliesTopic } from '@rpm/contracts';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import { withLogContext } from '@rpm/platform';
import { Counter, Gauge } from 'prom-client';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { DeviceDirectory, type DeviceIdentity } from '../devices/device-directory';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config';
import { ReadingIngestor, type IngestResult } from '../ingest/reading-ingestor';
import { GatewayMetrics } from '../observability/gateway-metrics';
import { type BrokerPublisher } from './broker-publisher';
import { clientIdProblem, emptyClientIdProblem } from './client-id-policy';
import { TokenBucket } from './token-bucket';

type Identity = ({ kind: 'device'; bucket: TokenBucket } & DeviceIdentity) | { kind: 'service'; name: string };

/** MQTT 3.1.1 CONNACK return codes [MQTT-3.2.2.3]. */
const CONNACK_IDENTIFIER_REJECTED = 2;
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

type Transport = 'plain' | 'tls';

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
export class EmbeddedBroker implements OnApplicationBootstrap, OnApplicationShutdown, BrokerPublisher {
  private readonly logger = new Logger(EmbeddedBroker.name);
  private readonly identities = new WeakMap<Client, Identity>();
  private readonly devicesOnline = new Map<string, Client>();
  /** Clients whose CONNECT carried a zero-byte client id (aedes has replaced it by a generated one). */
  private readonly emptyClientIds = new WeakSet<Client>();
  private readonly servers = new Map<Transport, Server>();
  private broker?: Aedes;
  /** Devices with a session subscribed to their receipts: the others get none (most devices never ask). */
  private readonly receiptSubscribers = new Set<string>();
  // Registered here rather than in GatewayMetrics: they exist only with the embedded broker's listeners.
  private readonly listenerUp: Gauge<'transport'>;
  private readonly connectionsOpened: Counter<'transport'>;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly devices: DeviceDirectory,
    private readonly ingestor: ReadingIngestor,
    private readonly metrics: GatewayMetrics,
    // The time a reading is received at, against which a future timestamp is judged (simulated in the virtual clinic).
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {
    this.clock ??= systemClock;
    const registers = [metrics.registry];
    this.listenerUp = new Gauge({
      name: 'rpm_gateway_mqtt_listener_up',
      help: 'Embedded broker listeners by transport (plain TCP, TLS): 1 while accepting connections',
      labelNames: ['transport'],
      registers,
      collect: () => this.servers.forEach((server, transport) => this.listenerUp.set({ transport }, server.listening ? 1 : 0)),
    });
    this.connectionsOpened = new Counter({
      name: 'rpm_gateway_mqtt_connections_opened_total',
      help: 'Connections accepted by the embedded broker, by transport (TLS: after the handshake)',
      labelNames: ['transport'],
      registers,
    });
  }

  /** True when every configured listener (plain TCP, TLS) accepts connections. */
  get isListening(): boolean {
    return this.servers.size > 0 && [...this.servers.values()].every((server) => server.listening);
  }

  get isUp(): boolean {
    return this.isListening;
  }

  async onApplicationBootstrap(): Promise<void> {
    const mqtt = this.config.mqtt;
    if (mqtt.mode !== 'embedded') return;
    const options: AedesOptions = {
      maxClientsIdLength: 128,
      preConnect: (client, packet, done) => {
        if (packet.cmd === 'connect' && !packet.clientId) this.emptyClientIds.add(client);
        done(null, true);
      },
      authenticate: (client, username, password, done) => {
        this.authenticate(client, username, password?.toString()).then(
          (identity) => {
            this.identities.set(client, identity);
            done(null, true);
          },
          (error: Error & { returnCode?: number }) => {
            this.metrics.connectionsRefused.inc({ reason: error.returnCode === CONNACK_IDENTIFIER_REJECTED ? 'client_id' : 'authentication' });
            done(authError(error.message, error.returnCode ?? CONNACK_SERVER_UNAVAILABLE), false);
          },
        );
      },
      authorizeSubscribe: (client, subscription, done) => {
        const identity = this.identities.get(client);
        const allowed =
          identity?.kind === 'device'
            ? subscription.topic === deviceRepliesTopic(identity.deviceId) || subscription.topic === deviceReceiptsTopic(identity.deviceId)
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
        const origin = { deviceId: identity.deviceId, patientId: identity.patientId, receivedAt: this.clock.now() };
        void withLogContext({ eventId: randomUUID(), deviceId: identity.deviceId }, () =>
          this.ingestor
            .ingest(packet.payload as Buffer, origin)
            .then((result) => this.sendReply(result))
            .then(
              () => done(null),
              (error: Error) => {
                this.metrics.connectionsRefused.inc({ reason: 'spool_unavailable' });
                this.logger.error({ message: 'reading not acknowledged: spool unavailable', deviceId: identity.deviceId, error: error.message });
                done(error);
              },
            ),
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
    broker.on('subscribe', (subscriptions, client) => {
      const identity = this.identities.get(client);
      if (identity?.kind === 'device' && subscriptions.some((subscription) => subscription.topic === deviceReceiptsTopic(identity.deviceId)))
        this.receiptSubscribers.add(identity.deviceId);
    });
    broker.on('unsubscribe', (topics, client) => {
      const identity = this.identities.get(client);
      if (identity?.kind === 'device' && topics.includes(deviceReceiptsTopic(identity.deviceId))) this.receiptSubscribers.delete(identity.deviceId);
    });
    broker.on('clientDisconnect', (client) => {
      const identity = this.identities.get(client);
      // A clean session's subscriptions end with it; a persistent session's stay (aedes keeps them in memory).
      if (identity?.kind === 'device' && client.clean) this.receiptSubscribers.delete(identity.deviceId);
      if (identity?.kind !== 'device' || this.devicesOnline.get(identity.deviceId) !== client) return;
      this.devicesOnline.delete(identity.deviceId);
      this.metrics.connectedDevices.set(this.devicesOnline.size);
    });
    if (mqtt.plainPort !== undefined) {
      const server = createServer({ noDelay: true }, (socket) => {
        this.connectionsOpened.inc({ transport: 'plain' });
        this.limitPacketSize(broker.handle(socket), socket);
      });
      await this.listen('plain', server, mqtt.host, mqtt.plainPort);
    }
    if (mqtt.tls) {
      const server = createTlsServer({ cert: mqtt.tls.cert, key: mqtt.tls.key }, (socket) => {
        socket.setNoDelay(true);
        this.connectionsOpened.inc({ transport: 'tls' });
        this.limitPacketSize(broker.handle(socket), socket);
      });
      // A plain MQTT client, a wrong protocol or an untrusted client fails the handshake: counted, never stalls.
      server.on('tlsClientError', (error) => {
        this.metrics.connectionsRefused.inc({ reason: 'tls_handshake' });
        this.logger.debug({ message: 'TLS handshake failed', error: error.message });
      });
      await this.listen('tls', server, mqtt.tls.host, mqtt.tls.port);
    }
  }

  private async listen(transport: Transport, server: Server, host: string, port: number): Promise<void> {
    const variable = transport === 'tls' ? 'MQTT_TLS_PORT' : 'MQTT_PORT';
    this.servers.set(transport, server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new PortInUseError(
                `MQTT port ${port} on ${host} is already in use (another MQTT broker such as Mosquitto?). ` +
                  `Set ${variable} to a free port, e.g. ${variable}=${port + 1}.`,
              )
            : error,
        ),
      );
      server.listen(port, host, () => resolve());
    });
    this.logger.log({ message: 'embedded MQTT broker listening', transport, host, port });
  }

  wantsReceipts(deviceId: string): boolean {
    return this.receiptSubscribers.has(deviceId);
  }

  publish(topic: string, payload: string, qos: 0 | 1): Promise<void> {
    const broker = this.broker;
    if (!broker) return Promise.reject(new Error('broker not started'));
    return new Promise((resolve, reject) =>
      broker.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain: false, dup: false }, (error) => (error ? reject(error) : resolve())),
    );
  }

  /** A device hears of its rejected readings before the PUBACK, on its replies topic. */
  private async sendReply({ reply, replyTopic }: IngestResult): Promise<void> {
    if (replyTopic) await this.publish(replyTopic, JSON.stringify(reply), 1);
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
    const serversClosed = Promise.all([...this.servers.values()].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    await new Promise<void>((resolve) => (this.broker ? this.broker.close(() => resolve()) : resolve()));
    await serversClosed;
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

  private async authenticate(client: Client, username: string | undefined, password: string | undefined): Promise<Identity> {
    const empty = emptyClientIdProblem(this.emptyClientIds.has(client) ? '' : client.id, client.clean);
    if (empty) throw authError(empty, CONNACK_IDENTIFIER_REJECTED);
    if (!username || !password) throw authError('username and password are required', CONNACK_BAD_USERNAME_OR_PASSWORD);
    const mqtt = this.config.mqtt;
    if (username.startsWith(INTERNAL_SERVICE_USERNAME_PREFIX)) {
      if (!(mqtt.mode === 'embedded' && sameSecret(password, mqtt.internalPassword))) {
        throw authError('bad service credential', CONNACK_BAD_USERNAME_OR_PASSWORD);
      }
      this.checkClientId(client, { kind: 'service', username });
      return { kind: 'service', name: username.slice(INTERNAL_SERVICE_USERNAME_PREFIX.length) };
    }
    const device = await this.devices.authenticate(username, password);
    if (!device) {
      this.logger.warn({ message: 'device authentication failed', deviceId: username });
      throw authError('bad device credential', CONNACK_BAD_USERNAME_OR_PASSWORD);
    }
    this.checkClientId(client, { kind: 'device', deviceId: device.deviceId });
    const rate = this.config.limits.messagesPerSecond;
    return { kind: 'device', ...device, bucket: new TokenBucket(rate, rate * BURST_SECONDS, Date.now()) };
  }

  /**
   * Refuses, before aedes registers the client (which would close an older connection with the same id
   * and hand it that session), a client id not bound to the credential: CONNACK 2, identifier rejected.
   */
  private checkClientId(client: Client, identity: Parameters<typeof clientIdProblem>[0]): void {
    const problem = this.emptyClientIds.has(client) ? 'an empty client id is not bound to the credential' : clientIdProblem(identity, client.id);
    if (!problem) return;
    this.logger.warn({ message: `client id refused: ${problem}`, clientId: client.id, ...(identity.kind === 'device' ? { deviceId: identity.deviceId } : {}) });
    throw authError(problem, CONNACK_IDENTIFIER_REJECTED);
  }
}
