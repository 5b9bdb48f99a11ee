import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PgListener } from '@rpm/platform';
import { EMPTY, Observable, Subject, catchError, from, mergeMap } from 'rxjs';
import { AlertRepository, CareTeamScope } from '@rpm/persistence';
import { API_CONFIG, type ApiConfig } from '../api.config';
import { filterInOrder, replayThenLive } from './change-order';

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
    @Inject(AlertRepository) private readonly alerts: AlertRepository,
    @Inject(CareTeamScope) private readonly scope: CareTeamScope,
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

  /**
   * The user's changes, live; with `since` (a stream reconnecting: its last event's id), first the alerts
   * changed since then, read from the database, so nothing committed while it was away is lost, whichever
   * API instance it reconnects to. The live feed is subscribed before the read starts, so there is no gap, and
   * held back until the read is out, so an alert's last change told is its newest; a change may come twice
   * (replayed and live), which a client keyed by alert id absorbs. Changes are told in the order they came.
   */
  forUser(userId: string, since?: Date): Observable<AlertChange> {
    const source = since ? replayThenLive(this.changes, this.missedSince(since)) : this.changes;
    return source.pipe(filterInOrder((change) => this.scope.canSee(userId, change.patientId)));
  }

  private missedSince(since: Date): Observable<AlertChange> {
    return from(this.alerts.changedSince(new Date(since.getTime() - CATCH_UP_MARGIN_MS))).pipe(
      mergeMap((changes: AlertChange[]) => changes),
      catchError((error: Error) => {
        this.logger.warn({ message: 'could not replay alert changes to a reconnecting stream', error: error.message });
        return EMPTY;
      }),
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
    const missed: AlertChange[] = await this.alerts.changedSince(new Date(downSince.getTime() - CATCH_UP_MARGIN_MS));
    for (const change of missed) this.changes.next(change);
  }
}
