import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DatabaseProbe, DeliveryRepository } from '@rpm/persistence';
import { jsonResponse, listenHealthServer, type HealthResponse } from '@rpm/platform';
import { DataSource } from 'typeorm';
import { ALERTING_CONFIG, type AlertingConfig } from '../alerting.config';
import { AcceptedReadingsConsumer } from '../alerts/accepted-readings.consumer';
import { EvaluationLag } from '../alerts/evaluation-lag';
import { JobScheduler } from '../jobs/job-scheduler';
import { AlertingMetrics } from './alerting-metrics';

type Check = 'up' | 'down';

/**
 * GET /health/live (the process answers), GET /health/ready (it can evaluate: database reachable, the
 * accepted-readings consumer connected to the broker, and evaluation not behind past ALERTING_LAG_ALARM_SECONDS),
 * GET /metrics (Prometheus).
 */
@Injectable()
export class AlertingHttpServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AlertingHttpServer.name);
  private server?: { close(): Promise<void> };

  constructor(
    @Inject(ALERTING_CONFIG) private readonly config: AlertingConfig,
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly metrics: AlertingMetrics,
    private readonly consumer: AcceptedReadingsConsumer,
    private readonly jobs: JobScheduler,
    private readonly lag: EvaluationLag,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { host, port } = this.config.http;
    this.server = await listenHealthServer(host, port, 'ALERTING_HTTP_PORT', (method, path) => this.route(method, path));
    this.logger.log({ message: 'alerting health and metrics listening', host, port });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.close();
  }

  private async route(method: string, path: string): Promise<HealthResponse> {
    if (method !== 'GET') return jsonResponse(404, { message: 'not found' });
    if (path === '/metrics') {
      await this.observe();
      return { status: 200, type: this.metrics.registry.contentType, body: await this.metrics.registry.metrics() };
    }
    if (path === '/health/live') return jsonResponse(200, { status: 'ok' });
    if (path === '/health/ready' || path === '/health') {
      const database: Check = await new DatabaseProbe(this.dataSource).ping().then(
        () => 'up',
        () => 'down',
      );
      const consumer: Check = this.consumer.isConnected ? 'up' : 'down';
      const behind = this.lag.behind();
      const evaluation: Check = behind ? 'down' : 'up';
      const ready = database === 'up' && consumer === 'up' && evaluation === 'up';
      return jsonResponse(ready ? 200 : 503, {
        status: ready ? 'ok' : 'unavailable',
        checks: { database, consumer, evaluation },
        ...(behind ? { reason: behind.reason } : {}),
        evaluationLagSeconds: Math.round(this.lag.oldestPendingAgeMs() / 100) / 10,
        lastEventAgeSeconds: this.consumer.lastEventAgeSeconds() ?? null,
        deliveryBacklog: database === 'up' ? await this.deliveryBacklog() : null,
        lastSuccessfulRuns: this.jobs.lastSuccessfulRuns(),
      });
    }
    return jsonResponse(404, { message: 'not found' });
  }

  /** Values read at scrape time rather than kept up to date. */
  private async observe(): Promise<void> {
    this.metrics.consumerConnected.set(this.consumer.isConnected ? 1 : 0);
    this.metrics.lastEventAgeSeconds.set(this.consumer.lastEventAgeSeconds() ?? -1);
    const backlog = await this.deliveryBacklog().catch(() => undefined);
    if (backlog !== undefined) this.metrics.deliveryBacklog.set(backlog);
  }

  private async deliveryBacklog(): Promise<number> {
    return new DeliveryRepository(this.dataSource).pendingCount();
  }
}
