import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '../auth/public.decorator';
import { ApiMetrics } from './api-metrics';
import { RespondsWithText } from '../http/responds-with.decorator';

@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: ApiMetrics) {}

  /** Prometheus text format; operational figures only, no patient data. */
  @Public()
  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @RespondsWithText(200, 'text/plain', 'Prometheus text format 0.0.4.')
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
