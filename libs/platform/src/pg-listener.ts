import { Client } from 'pg';

export interface PgListenerLogger {
  log(message: object): void;
  warn(message: object): void;
}

export interface PgListenerOptions {
  connectionString: string;
  channel: string;
  onNotification: (payload: string) => void;
  /**
   * Runs once LISTEN is in place after every connect. `downSince` is when the previous connection was
   * lost (undefined the first time): notifications sent in between are gone, so this is where a
   * listener catches up on the gap.
   */
  onListening?: (downSince: Date | undefined) => Promise<void> | void;
  logger: PgListenerLogger;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/** Exponential backoff with a little jitter, so a fleet of listeners does not reconnect in lockstep. */
export function reconnectDelayMs(failures: number, initialMs: number, maxMs: number): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(failures, 30));
  return Math.round(base * (0.8 + Math.random() * 0.2));
}

/**
 * A PostgreSQL LISTEN that survives its connection: when the server restarts, the backend is
 * terminated or the network drops, it reconnects with backoff and listens again, then calls
 * onListening so the owner can catch up on what it missed. start() never throws: a database that is
 * down at start-up is retried like one that goes away later.
 */
export class PgListener {
  private client?: Client;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private failures = 0;
  private downSince?: Date;
  private listening = false;

  constructor(private readonly options: PgListenerOptions) {}

  get isListening(): boolean {
    return this.listening;
  }

  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    this.listening = false;
    if (client) await this.discard(client);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const { connectionString, channel } = this.options;
    const client = new Client({ connectionString, keepAlive: true });
    this.client = client;
    client.on('notification', (message) => {
      if (message.channel === channel && message.payload !== undefined) this.options.onNotification(message.payload);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN "${channel.replaceAll('"', '""')}"`);
    } catch (error) {
      this.lost(client, error as Error);
      return;
    }
    if (this.client !== client) return;
    const downSince = this.downSince;
    this.listening = true;
    this.failures = 0;
    this.downSince = undefined;
    if (downSince) this.options.logger.log({ message: `listening on ${channel} again`, downForMs: Date.now() - downSince.getTime() });
    try {
      await this.options.onListening?.(downSince);
    } catch (error) {
      this.options.logger.warn({ message: `catching up after LISTEN ${channel} failed`, error: (error as Error).message });
    }
  }

  private lost(client: Client, error?: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.listening = false;
    this.downSince ??= new Date();
    void this.discard(client);
    if (this.stopped) return;
    const delay = reconnectDelayMs(this.failures++, this.options.initialDelayMs ?? 250, this.options.maxDelayMs ?? 30_000);
    this.options.logger.warn({ message: `LISTEN ${this.options.channel} connection lost; reconnecting`, inMs: delay, error: error?.message });
    this.timer = setTimeout(() => void this.connect(), delay);
    this.timer.unref();
  }

  private async discard(client: Client): Promise<void> {
    client.removeAllListeners();
    client.on('error', () => undefined);
    await client.end().catch(() => undefined);
  }
}
