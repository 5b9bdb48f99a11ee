import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { DatabaseProbe } from '@rpm/persistence';
import { Public } from '../auth/public.decorator';
import { healthResponseSchema } from '@rpm/contracts';
import { RespondsWith } from '../http/responds-with.decorator';

@Controller('health')
export class HealthController {
  constructor(@Inject(DatabaseProbe) private readonly database: DatabaseProbe) {}

  /** Readiness: answers 200 only while PostgreSQL answers. */
  @Public()
  @Get()
  @RespondsWith(200, healthResponseSchema)
  async check(): Promise<{ status: 'ok' }> {
    try {
      await this.database.ping();
    } catch {
      throw new ServiceUnavailableException('database unavailable');
    }
    return { status: 'ok' };
  }
}
