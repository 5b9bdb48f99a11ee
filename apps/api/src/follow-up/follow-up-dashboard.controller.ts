import { Controller, Get, Header, Inject, Query } from '@nestjs/common';
import { CLOCK, type Clock } from '@rpm/clinical';
import { followUpDashboardQuerySchema, followUpDashboardSchema, type FollowUpDashboardQuery } from '@rpm/contracts';
import { FollowUpDashboardRepository } from '@rpm/persistence';
import { READING_STORE } from '@rpm/platform';
import type { ReadingStore } from '@rpm/timeseries';
import { AuditLog } from '../audit/audit-log';
import { CurrentUser, RequestId, type AuthenticatedUser } from '../auth/current-user';
import { RespondsWith, RespondsWithText } from '../http/responds-with.decorator';
import { dashboardCsv } from './dashboard-csv';

/**
 * The follow-up centre's dashboard over the caller's care teams (or one of them): coverage, completion of due
 * contacts, overdue / missed / lost to follow-up and their weekly trend, control rates, time to acknowledge
 * alerts and readmissions, per clinician and per care team, with the patients behind each figure; as JSON or CSV.
 */
@Controller('follow-up')
export class FollowUpDashboardController {
  constructor(
    @Inject(FollowUpDashboardRepository) private readonly dashboards: FollowUpDashboardRepository,
    @Inject(READING_STORE) private readonly store: ReadingStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  @Get('dashboard')
  @RespondsWith(200, followUpDashboardSchema)
  async dashboard(
    @Query({ schema: followUpDashboardQuerySchema }) query: FollowUpDashboardQuery,
    @CurrentUser() user: AuthenticatedUser,
    @RequestId() requestId: string,
  ) {
    await this.audit.record({ userId: user.id, action: 'follow_up.dashboard', patientId: null, outcome: 'allowed', requestId });
    return this.figures(user, query);
  }

  @Get('dashboard.csv')
  @Header('content-type', 'text/csv; charset=utf-8; header=present')
  @Header('content-disposition', 'attachment; filename="follow-up-dashboard.csv"')
  @RespondsWithText(200, 'text/csv', 'The dashboard as CSV (RFC 4180): one row per figure and group with its patients, then the weekly trend.')
  async csv(
    @Query({ schema: followUpDashboardQuerySchema }) query: FollowUpDashboardQuery,
    @CurrentUser() user: AuthenticatedUser,
    @RequestId() requestId: string,
  ): Promise<string> {
    await this.audit.record({ userId: user.id, action: 'follow_up.dashboard_export', patientId: null, outcome: 'allowed', requestId });
    return dashboardCsv(followUpDashboardSchema.parse(await this.figures(user, query)));
  }

  private figures(user: AuthenticatedUser, query: FollowUpDashboardQuery) {
    return this.dashboards.dashboard({ userId: user.id, careTeamId: query.careTeamId }, this.store, this.clock.now(), query.weeks);
  }
}
