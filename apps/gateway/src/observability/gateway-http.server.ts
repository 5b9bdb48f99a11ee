import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createHttpServer } from '@rpm/platform';
import { type Server } from 'node:http';
import { DataSource } from 'typeorm';
import { EmbeddedBroker } from '../broker/embedded-broker.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config';
import { SpoolDrainer } from '../spool/spool-drainer';
import { ReadingSpool } from '../spool/reading-spool';
import { GatewayMetrics } from './gateway-metrics';

type Check = 'up' | 'down';

/**
 * GET /health/live (the process answers), GET /health/ready (it can take readings: database up, broker
 * listening, spool not full, drain not stalled; the store may be down for a while, since the spool covers
 * it, and says so, but past DRAIN_STALL_SECONDS without progress the gateway is not ready), GET /metrics.
 */
@Injectable()
export class GatewayHttpServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(GatewayHttpServer.name);
  private server?: Server;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly metrics: GatewayMetrics,
    private readonly drainer: SpoolDrainer,
    private readonly spool: ReadingSpool,
    @Optional() private readonly broker?: EmbeddedBroker,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const server = createHttpServer(this.config.http.tls, (request, response) => {
      this.route(request.method ?? 'GET', request.url ?? '/').then(
        ({ status, type, body }) => response.writeHead(status, { 'content-type': type }).end(body),
        (error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(error.message),
      );
    });
    this.server = server;
    const { host, port } = this.config.http;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'EADDRINUSE' ? new Error(`GATEWAY_HTTP_PORT ${port} on ${host} is already in use; set GATEWAY_HTTP_PORT to a free port`) : error),
      );
      server.listen(port, host, () => resolve());
    });
    this.logger.log({ message: 'gateway health and metrics listening', host, port });
  }

  async onApplicationShutdown(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async route(method: string, url: string): Promise<{ status: number; type: string; body: string }> {
    const path = url.split('?')[0];
    if (method === 'GET' && path === '/metrics') {
      this.drainer.observe();
      return { status: 200, type: this.metrics.registry.contentType, body: await this.metrics.registry.metrics() };
    }
    if (method === 'GET' && path === '/health/live') return json(200, { status: 'ok' });
    if (method === 'GET' && (path === '/health/ready' || path === '/health')) {
      const database: Check = await this.dataSource.query('SELECT 1').then(
        () => 'up',
        () => 'down',
      );
      const broker: Check = this.config.mqtt.mode === 'external' || this.broker?.isListening ? 'up' : 'down';
      const stats = this.spool.stats();
      const spoolFull = stats.pendingBytes >= stats.maxBytes * 0.99;
      const stall = this.drainer.stall();
      const reasons = [
        database === 'down' && 'database unreachable',
        broker === 'down' && 'broker not listening',
        spoolFull && 'spool full',
        stall?.reason,
      ].filter((reason): reason is string => Boolean(reason));
      const ready = reasons.length === 0;
      return json(ready ? 200 : 503, {
        status: ready ? (this.drainer.isStoreHealthy ? 'ok' : 'degraded') : 'unavailable',
        ...(ready ? {} : { reason: reasons.join('; ') }),
        checks: {
          database,
          broker,
          store: this.drainer.isStoreHealthy ? 'up' : 'down',
          spool: { pendingReadings: stats.pendingReadings, pendingBytes: stats.pendingBytes, maxBytes: stats.maxBytes, full: spoolFull },
          drain: stall ? { stalled: true, secondsWithoutProgress: stall.secondsWithoutProgress } : { stalled: false },
        },
      });
    }
    return json(404, { message: 'not found' });
  }
}

const json = (status: number, body: unknown) => ({ status, type: 'application/json', body: JSON.stringify(body) });
