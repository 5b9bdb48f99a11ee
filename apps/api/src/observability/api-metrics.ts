import { Injectable } from '@nestjs/common';
import { createMetricsRegistry } from '@rpm/platform';
import { Histogram } from 'prom-client';

interface FinishedRequest {
  method: string;
  routeOptions: { url?: string };
}

/**
 * Prometheus metrics of the API process. Requests are labelled by route template (`/patients/:patientId`),
 * never by the path itself, so no patient or alert id reaches the metrics.
 */
@Injectable()
export class ApiMetrics {
  readonly registry = createMetricsRegistry('rpm_api_');

  private readonly requestSeconds = new Histogram({
    name: 'rpm_api_http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status code',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });

  observe(request: FinishedRequest, statusCode: number, seconds: number): void {
    this.requestSeconds.observe({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(statusCode) }, seconds);
  }
}
