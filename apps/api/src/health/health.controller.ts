import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { DatabaseProbe } from '@rpm/persistence';
import { Public } from '../auth/public.decorator';

@Controller('health')
export class HealthController {
  constructor(@Inject(DatabaseProbe) private readonly database: DatabaseProbe) {}

  /** Readiness: answers 200 only while PostgreSQL answers. */
  @Public()
  @Get()
  async check(): Promise<{ status: 'ok' }> {
    try {
      await this.database.ping();
    } catch {
      throw new ServiceUnavailableException('database unavailable');
    }
    return { status: 'ok' };
  }
}
