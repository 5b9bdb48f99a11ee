import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { QuarantineRepository } from '@rpm/persistence';
import { ReadingSpool } from './reading-spool';

const POLL_MS = 2000;
const REPLAY_BATCH = 500;

/**
 * Puts quarantined readings an operator asked to replay (`npm run quarantine -- replay`) back into the
 * spool, so they take the normal path: store, announcement to alerting, or quarantine again with the
 * store's new reason. Polling a partial index every few seconds costs nothing on the readings' path and
 * needs no connection that could silently stop listening.
 */
@Injectable()
export class QuarantineReplayer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(QuarantineReplayer.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly quarantine: QuarantineRepository,
    private readonly spool: ReadingSpool,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.replay().finally(() => (this.running = undefined));
    }, POLL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async replay(): Promise<void> {
    try {
      let replayed: number;
      do {
        replayed = await this.quarantine.replayRequested((readings) => this.spool.append(readings), REPLAY_BATCH);
        if (replayed > 0) this.logger.log({ message: 'quarantined readings put back into the spool for replay', readings: replayed });
      } while (replayed === REPLAY_BATCH);
    } catch (error) {
      this.logger.warn({ message: 'quarantine replay failed; retried on the next poll', error: (error as Error).message });
    }
  }
}
