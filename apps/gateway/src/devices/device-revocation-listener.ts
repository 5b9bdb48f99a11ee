import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource, In, IsNull } from 'typeorm';
import { DeviceEntity } from '@rpm/persistence';
import { EmbeddedBroker } from '../broker/embedded-broker.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config';

const RECONNECT_MS = 2000;

/**
 * Disconnects a device the moment its credential is revoked or replaced (PostgreSQL NOTIFY from a
 * trigger on devices). Notifications sent while the listening connection was down are not replayed,
 * so after every (re)connect it also checks the devices that are online.
 */
@Injectable()
export class DeviceRevocationListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeviceRevocationListener.name);
  private client?: Client;
  private stopped = false;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Optional() private readonly broker?: EmbeddedBroker,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.broker) await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.config.databaseUrl });
    this.client = client;
    client.on('notification', (message) => message.payload && this.broker?.disconnect(message.payload));
    client.on('error', () => this.reconnectLater());
    client.on('end', () => this.reconnectLater());
    try {
      await client.connect();
      await client.query('LISTEN device_revoked');
      await this.disconnectRevokedOnline();
    } catch (error) {
      this.logger.warn({ message: 'cannot listen for device revocations; retrying', error: (error as Error).message });
      this.reconnectLater();
    }
  }

  private reconnectLater(): void {
    if (this.stopped || !this.client) return;
    const failed = this.client;
    this.client = undefined;
    failed.removeAllListeners();
    failed.on('error', () => undefined);
    void failed.end().catch(() => undefined);
    setTimeout(() => void (this.stopped ? undefined : this.listen()), RECONNECT_MS).unref();
  }

  private async disconnectRevokedOnline(): Promise<void> {
    const online = this.broker?.onlineDeviceIds() ?? [];
    if (online.length === 0) return;
    const active = await this.dataSource.getRepository(DeviceEntity).find({
      select: { id: true },
      where: { id: In(online), revokedAt: IsNull() },
    });
    const activeIds = new Set(active.map((device) => device.id));
    for (const id of online) if (!activeIds.has(id)) this.broker?.disconnect(id);
  }
}
