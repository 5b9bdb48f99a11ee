import { connect, type MqttClient } from 'mqtt';
import { randomUUID } from 'node:crypto';
import { DYNSEC_CONTROL_TOPIC, DYNSEC_RESPONSE_TOPIC, type DynsecCommand, type DynsecResponse } from './dynsec-commands';

export interface DynsecClientOptions {
  url: string;
  username: string;
  password: string;
  ca?: Buffer;
  /** How long a batch of commands may wait for its response before it fails. */
  timeoutMs?: number;
  clientId?: string;
}

interface Pending {
  resolve: (responses: DynsecResponse[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  count: number;
}

/**
 * Talks to Mosquitto's dynamic-security plugin: a batch of commands goes to `$CONTROL/dynamic-security/v1`
 * and the plugin answers on `.../response`, one response per command in the same order. Every admin
 * client subscribed to that topic sees every answer (several API instances share it), so each batch
 * carries its own correlation id and only the matching answer settles it.
 */
export class DynsecClient {
  private readonly client: MqttClient;
  private readonly pending = new Map<string, Pending>();
  private readonly ready: Promise<void>;
  private readonly timeoutMs: number;

  constructor(options: DynsecClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.client = connect(options.url, {
      protocolVersion: 5,
      clientId: options.clientId ?? `rpm-dynsec-${randomUUID()}`,
      username: options.username,
      password: options.password,
      ca: options.ca,
      reconnectPeriod: 1000,
      connectTimeout: 5000,
    });
    this.client.on('message', (topic, payload) => {
      if (topic === DYNSEC_RESPONSE_TOPIC) this.settle(payload);
    });
    // mqtt.js re-subscribes after a reconnect (resubscribe defaults to true); wait for the first SUBACK.
    this.ready = new Promise((resolve) => {
      const subscribe = () =>
        this.client.subscribe(DYNSEC_RESPONSE_TOPIC, { qos: 1 }, (error) => {
          if (!error) {
            this.client.off('connect', subscribe);
            resolve();
          }
        });
      this.client.on('connect', subscribe);
    });
  }

  get isConnected(): boolean {
    return this.client.connected;
  }

  /** Calls back on every (re)connect to the broker, so the owner can catch up on what it missed. */
  onConnect(listener: () => void): void {
    this.client.on('connect', listener);
  }

  /** Sends commands as one batch; resolves with their responses (each may carry an error), in order. */
  async send(commands: DynsecCommand[]): Promise<DynsecResponse[]> {
    if (commands.length === 0) return [];
    await this.withTimeout(this.ready, 'the broker to accept the dynamic-security admin login');
    const batch = randomUUID();
    const tagged = commands.map((command, index) => ({ ...command, correlationData: `${batch}:${index}` }));
    const answered = new Promise<DynsecResponse[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(batch);
        reject(new Error(`no dynamic-security response within ${this.timeoutMs} ms (${commands[0].command}...)`));
      }, this.timeoutMs);
      this.pending.set(batch, { resolve, reject, timer, count: commands.length });
    });
    try {
      await this.client.publishAsync(DYNSEC_CONTROL_TOPIC, JSON.stringify({ commands: tagged }), { qos: 1 });
    } catch (error) {
      const pending = this.pending.get(batch);
      if (pending) clearTimeout(pending.timer);
      this.pending.delete(batch);
      throw error;
    }
    return answered;
  }

  async close(): Promise<void> {
    for (const [batch, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error('dynamic-security client closed'));
      this.pending.delete(batch);
    }
    await this.client.endAsync(true);
  }

  private settle(payload: Buffer): void {
    let responses: DynsecResponse[];
    try {
      responses = (JSON.parse(payload.toString('utf8')) as { responses?: DynsecResponse[] }).responses ?? [];
    } catch {
      return;
    }
    const batch = responses[0]?.correlationData?.split(':')[0];
    const pending = batch === undefined ? undefined : this.pending.get(batch);
    if (!pending || batch === undefined) return;
    const ours = responses.filter((response) => response.correlationData?.startsWith(`${batch}:`));
    if (ours.length < pending.count) return;
    clearTimeout(pending.timer);
    this.pending.delete(batch);
    pending.resolve(ours);
  }

  private withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${this.timeoutMs} ms waiting for ${what}`)), this.timeoutMs);
      promise.then(
        (value) => (clearTimeout(timer), resolve(value)),
        (error: Error) => (clearTimeout(timer), reject(error)),
      );
    });
  }
}
