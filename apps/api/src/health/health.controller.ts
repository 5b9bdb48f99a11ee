import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { DatabaseProbe } from '@rpm/persistence';
import { checkReadiness, databaseIndicator, type HealthIndicator } from '@rpm/platform';
import { Public } from '../auth/public.decorator';
import { healthResponseSchema } from '@rpm/contracts';
import { RespondsWith } from '../http/responds-with.decorator';

@Controller('health')
export class HealthController {
  private readonly indicators: HealthIndicator[];

  constructor(@Inject(DatabaseProbe) database: DatabaseProbe) {
    this.indicators = [databaseIndicator(() => database.ping(), 'database unavailable')];
  }

  /** Readiness: answers 200 only while PostgreSQL answers (within the check's timeout). */
  @Public()
  @Get()
  @RespondsWith(200, healthResponseSchema)
  async check(): Promise<{ status: 'ok' }> {
    const { ready, reasons } = await checkReadiness(this.indicators);
    if (!ready) throw new ServiceUnavailableException(reasons.join('; '));
    return { status: 'ok' };
  }
}
