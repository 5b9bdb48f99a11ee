import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { Observable, Subject, filter, map, mergeMap } from 'rxjs';
import { DataSource } from 'typeorm';
import { API_CONFIG, type ApiConfig } from '../api.config';

export interface AlertChange {
  alertId: string;
  patientId: string;
  status: string;
}

/**
 * Alert changes as they are committed (PostgreSQL NOTIFY from a trigger on alerts), for server-sent
 * events: each clinician's stream carries only changes of patients in their care teams.
 */
@Injectable()
export class AlertStream implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AlertStream.name);
  private readonly changes = new Subject<AlertChange>();
  private client?: Client;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const client = new Client({ connectionString: this.config.databaseUrl });
    client.on('notification', (message) => {
      if (message.payload) this.changes.next(JSON.parse(message.payload) as AlertChange);
    });
    client.on('error', (error) => this.logger.error({ message: 'alert stream connection lost', error: error.message }));
    await client.connect();
    await client.query('LISTEN alert_changed');
    this.client = client;
  }

  async onApplicationShutdown(): Promise<void> {
    this.changes.complete();
    await this.client?.end().catch(() => undefined);
  }

  forUser(userId: string): Observable<AlertChange> {
    return this.changes.pipe(
      mergeMap(async (change) => ({ change, visible: await this.canSee(userId, change.patientId) })),
      filter(({ visible }) => visible),
      map(({ change }) => change),
    );
  }

  private async canSee(userId: string, patientId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM patients p JOIN care_team_members m ON m.care_team_id = p.care_team_id WHERE p.id = $1 AND m.user_id = $2`,
      [patientId, userId],
    );
    return rows.length > 0;
  }
}
