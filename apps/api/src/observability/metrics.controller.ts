import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '../auth/public.decorator';
import { ApiMetrics } from './api-metrics';

@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: ApiMetrics) {}

  /** Prometheus text format; operational figures only, no patient data. */
  @Public()
  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
