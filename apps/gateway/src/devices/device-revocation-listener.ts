import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PgListener } from '@rpm/platform';
import { DataSource, In, IsNull } from 'typeorm';
import { DeviceEntity } from '@rpm/persistence';
import { EmbeddedBroker } from '../broker/embedded-broker.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config';

/**
 * Disconnects a device the moment its credential is revoked or replaced (PostgreSQL NOTIFY from a
 * trigger on devices). The LISTEN reconnects with backoff when the database restarts; notifications
 * sent while it was down are not replayed, so after every (re)connect it also checks the devices that
 * are online.
 */
@Injectable()
export class DeviceRevocationListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeviceRevocationListener.name);
  private readonly listener: PgListener;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Optional() private readonly broker?: EmbeddedBroker,
  ) {
    this.listener = new PgListener({
      connectionString: config.databaseUrl,
      channel: 'device_revoked',
      logger: this.logger,
      onNotification: (deviceId) => this.broker?.disconnect(deviceId),
      onListening: () => this.disconnectRevokedOnline(),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.broker) await this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener.stop();
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
