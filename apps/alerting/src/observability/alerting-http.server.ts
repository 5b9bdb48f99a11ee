import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DatabaseProbe, DeliveryRepository } from '@rpm/persistence';
import { checkReadiness, databaseIndicator, healthRoutes, listenHealthServer, type HealthIndicator } from '@rpm/platform';
import { DataSource } from 'typeorm';
import { ALERTING_CONFIG, type AlertingConfig } from '../alerting.config';
import { ReadingsSource } from '../alerts/readings-source';
import { EvaluationLag } from '../alerts/evaluation-lag';
import { JobScheduler } from '../jobs/job-scheduler';
import { AlertingMetrics } from './alerting-metrics';

/**
 * GET /health/live (the process answers), GET /health/ready (it can evaluate: database reachable, the
 * accepted-readings consumer connected to the broker, and evaluation not behind past ALERTING_LAG_ALARM_SECONDS),
 * GET /metrics (Prometheus; gauges read their sources at scrape time, and a scrape changes nothing).
 */
@Injectable()
export class AlertingHttpServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AlertingHttpServer.name);
  private server?: { close(): Promise<void> };
  private readonly indicators: HealthIndicator[];

  constructor(
    @Inject(ALERTING_CONFIG) private readonly config: AlertingConfig,
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly metrics: AlertingMetrics,
    private readonly consumer: ReadingsSource,
    private readonly jobs: JobScheduler,
    private readonly lag: EvaluationLag,
  ) {
    metrics.consumerConnected.setSource(() => (consumer.isConnected ? 1 : 0));
    metrics.lastEventAgeSeconds.setSource(() => consumer.lastEventAgeSeconds() ?? -1);
    metrics.deliveryBacklog.setSource(() => this.deliveryBacklog().catch(() => undefined));
    this.indicators = [
      databaseIndicator(() => new DatabaseProbe(dataSource).ping()),
      { name: 'consumer', check: () => ({ up: consumer.isConnected, reason: 'accepted-readings consumer not connected to the broker or the reading log' }) },
      {
        name: 'evaluation',
        check: () => {
          const behind = lag.behind();
          return { up: !behind, reason: behind?.reason };
        },
      },
    ];
  }

  async onApplicationBootstrap(): Promise<void> {
    const { host, port } = this.config.http;
    const route = healthRoutes({ ready: () => this.ready(), metrics: this.metrics.registry });
    this.server = await listenHealthServer({ host, port, variable: 'ALERTING_HTTP_PORT' }, route);
    this.logger.log({ message: 'alerting health and metrics listening', host, port });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.close();
  }

  private async ready(): Promise<{ status: number; body: unknown }> {
    const { ready, reasons, checks } = await checkReadiness(this.indicators);
    return {
      status: ready ? 200 : 503,
      body: {
        status: ready ? 'ok' : 'unavailable',
        checks,
        ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}),
        evaluationLagSeconds: Math.round(this.lag.oldestPendingAgeMs() / 100) / 10,
        lastEventAgeSeconds: this.consumer.lastEventAgeSeconds() ?? null,
        deliveryBacklog: checks.database === 'up' ? await this.deliveryBacklog() : null,
        lastSuccessfulRuns: this.jobs.lastSuccessfulRuns(),
      },
    };
  }

  private async deliveryBacklog(): Promise<number> {
    return new DeliveryRepository(this.dataSource).pendingCount();
  }
}
