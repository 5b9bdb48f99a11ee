import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { AuditRepository, appendAuditCheckpoint, auditLogRisks, type AuditCheckpoint } from '@rpm/persistence';
import { API_CONFIG, type ApiConfig } from '../api.config';

/**
 * Anchors the audit chain outside the database: at start-up, every AUDIT_CHECKPOINT_INTERVAL_SECONDS when
 * the log has grown, and at shutdown, appends a signed checkpoint of its head to AUDIT_CHECKPOINT_FILE.
 * `npm run audit:verify` then notices entries deleted, truncated or recomputed behind the database's back.
 * Also says at start-up when the database role could rewrite the audit log itself.
 */
@Injectable()
export class AuditCheckpoints implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('AuditCheckpoints');
  private timer?: NodeJS.Timeout;
  private last?: AuditCheckpoint;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    @Inject(AuditRepository) private readonly entries: AuditRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.warnAboutRole();
    const settings = this.config.auditCheckpoints;
    if (!settings) {
      this.logger.warn(
        'audit checkpoints are off (AUDIT_CHECKPOINT_FILE and AUDIT_CHECKPOINT_KEY unset): the audit chain is not anchored outside the database, so a database owner could cut or recompute it unnoticed',
      );
      return;
    }
    await this.checkpoint();
    this.timer = setInterval(() => void this.checkpoint(), settings.intervalMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    if (this.config.auditCheckpoints) await this.checkpoint();
  }

  /** Serialised, so a slow write and the next tick never interleave; a failed write is logged and retried next time. */
  checkpoint(): Promise<void> {
    this.writing = this.writing
      .then(() => this.writeIfGrown())
      .catch((error: Error) => this.logger.error(`could not write an audit checkpoint: ${error.message}`));
    return this.writing;
  }

  private async writeIfGrown(): Promise<void> {
    const settings = this.config.auditCheckpoints!;
    const head = await this.entries.head();
    if (this.last && head.seq === this.last.seq && head.count === this.last.count && head.hash === this.last.hash) return;
    if (this.last && ((await this.entries.hashAt(this.last.seq)) !== this.last.hash || head.count < this.last.count)) {
      this.logger.error(
        `the audit log no longer matches the checkpoint of ${this.last.at} (entry ${this.last.seq}): entries were deleted or rewritten; run npm run audit:verify`,
      );
    }
    this.last = await appendAuditCheckpoint(settings.file, settings.key, head);
  }

  private async warnAboutRole(): Promise<void> {
    const risks = await auditLogRisks(this.config.databaseUrl).catch(() => []);
    if (risks.length === 0) return;
    this.logger.warn(
      `DATABASE_URL could rewrite the audit log: ${risks.join('; ')}. Connect the apps as an application role and migrate as the owner (docs/deployment.md, "Database roles")`,
    );
  }
}
