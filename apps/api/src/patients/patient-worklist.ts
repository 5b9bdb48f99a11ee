import { Inject, Injectable, Optional } from '@nestjs/common';
import { CLOCK, systemClock, type Clock } from '@rpm/clinical';
import type { PageQuery, WorklistPatient } from '@rpm/contracts';
import { CareTeamScope, PatientRepository } from '@rpm/persistence';

/**
 * The caller's patients, most in need of attention first: unacknowledged urgent alerts, then warnings,
 * then follow-up risk tier, then the most overdue contact.
 */
@Injectable()
export class PatientWorklist {
  constructor(
    @Inject(PatientRepository) private readonly patients: PatientRepository,
    @Inject(CareTeamScope) private readonly scope: CareTeamScope,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {
    this.clock ??= systemClock;
  }

  async page(userId: string, page: PageQuery): Promise<{ patients: WorklistPatient[]; page: PageQuery & { total: number } }> {
    const rows = await this.patients.worklistPage(userId, page.limit, page.offset);
    const now = this.clock.now().getTime();
    return {
      patients: rows.map((row) => ({
        id: row.id,
        displayName: row.display_name,
        programme: row.programme,
        careTeamId: row.care_team_id,
        timeZone: row.time_zone,
        openAlerts: { urgent: row.urgent, warning: row.warning, info: row.info },
        lastAlertAt: row.last_alert_at?.toISOString() ?? null,
        followUp:
          row.tier && row.next_due_at && row.interval_days !== null
            ? { tier: row.tier, intervalDays: row.interval_days, nextDueAt: row.next_due_at.toISOString(), overdue: row.next_due_at.getTime() < now }
            : null,
      })),
      // The window count comes with every row; only a page past the end needs its own count.
      page: { limit: page.limit, offset: page.offset, total: rows[0]?.total ?? (await this.scope.countPatients(userId)) },
    };
  }
}
