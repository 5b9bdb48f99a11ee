import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { healthRoutes, listenHealthServer } from '@rpm/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config';
import { GatewayMetrics } from './gateway-metrics';
import { GatewayReadiness } from './gateway-readiness';

/**
 * GET /health/live (the process answers), GET /health/ready and GET /health (GatewayReadiness),
 * GET /metrics (Prometheus; a scrape only reads).
 */
@Injectable()
export class GatewayHttpServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(GatewayHttpServer.name);
  private server?: { close(): Promise<void> };

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly metrics: GatewayMetrics,
    private readonly readiness: GatewayReadiness,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { host, port, tls } = this.config.http;
    const route = healthRoutes({ ready: () => this.readiness.answer(), metrics: this.metrics.registry });
    this.server = await listenHealthServer({ host, port, tls, variable: 'GATEWAY_HTTP_PORT' }, route);
    this.logger.log({ message: 'gateway health and metrics listening', host, port });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.close();
  }
}
