import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PgListener } from '@rpm/platform';
import { Observable, Subject, filter, map, mergeMap } from 'rxjs';
import { DataSource } from 'typeorm';
import { API_CONFIG, type ApiConfig } from '../api.config';

export interface AlertChange {
  alertId: string;
  patientId: string;
  status: string;
}

/** Clocks of the API and the database may differ a little; replaying a few extra changes is harmless. */
const CATCH_UP_MARGIN_MS = 30_000;

/**
 * Alert changes as they are committed (PostgreSQL NOTIFY from a trigger on alerts), for server-sent
 * events: each clinician's stream carries only changes of patients in their care teams. The LISTEN
 * reconnects after the database restarts, and then replays the alerts changed while it was away.
 */
@Injectable()
export class AlertStream implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AlertStream.name);
  private readonly changes = new Subject<AlertChange>();
  private readonly listener: PgListener;

  constructor(
    @Inject(API_CONFIG) config: ApiConfig,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {
    this.listener = new PgListener({
      connectionString: config.databaseUrl,
      channel: 'alert_changed',
      logger: this.logger,
      onNotification: (payload) => this.publish(payload),
      onListening: (downSince) => (downSince ? this.catchUp(downSince) : undefined),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.changes.complete();
    await this.listener.stop();
  }

  forUser(userId: string): Observable<AlertChange> {
    return this.changes.pipe(
      mergeMap(async (change) => ({ change, visible: await this.canSee(userId, change.patientId).catch(() => false) })),
      filter(({ visible }) => visible),
      map(({ change }) => change),
    );
  }

  private publish(payload: string): void {
    try {
      this.changes.next(JSON.parse(payload) as AlertChange);
    } catch (error) {
      this.logger.warn({ message: 'ignored an alert_changed notification that is not JSON', error: (error as Error).message });
    }
  }

  /** Alerts opened, acknowledged, escalated or resolved while the LISTEN connection was down. */
  private async catchUp(downSince: Date): Promise<void> {
    const missed: AlertChange[] = await this.dataSource.query(
      `SELECT id AS "alertId", patient_id AS "patientId", status FROM alerts
        WHERE greatest(created_at, acknowledged_at, resolved_at, escalated_at) >= $1`,
      [new Date(downSince.getTime() - CATCH_UP_MARGIN_MS)],
    );
    for (const change of missed) this.changes.next(change);
  }

  private async canSee(userId: string, patientId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM patients p JOIN care_team_members m ON m.care_team_id = p.care_team_id WHERE p.id = $1 AND m.user_id = $2`,
      [patientId, userId],
    );
    return rows.length > 0;
  }
}
