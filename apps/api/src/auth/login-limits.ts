import { Inject, Injectable } from '@nestjs/common';
import { hashSecret } from '@rpm/security';
import { DataSource } from 'typeorm';
import { API_CONFIG, type ApiConfig } from '../api.config';

/** First lockout after the limit; each further failure doubles it, up to the cap. */
const FIRST_LOCKOUT_SECONDS = 30;
const MAX_LOCKOUT_SECONDS = 15 * 60;
const CLEANUP_EVERY_MS = 60_000;

export type LoginRefusal = 'account' | 'address';

interface Counter {
  key: string;
  maxFailures: number;
}

/**
 * Limits password guessing per account and per client address. An account (known or not: the key is the
 * e-mail's hash, so a lockout says nothing about who has an account) is locked briefly after a few
 * failures, longer after each further one; a success clears it. An address gets a much higher limit,
 * so many clinicians behind one hospital NAT are not locked out together, while guesses spread over
 * many addresses still meet the account's limit.
 *
 * An attempt is counted as a failure *before* the password is checked and refunded when it succeeds,
 * so a burst of parallel guesses cannot all pass the check before the first failure is written.
 */
@Injectable()
export class LoginLimits {
  private lastCleanup = 0;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** Reserves one attempt for this account and address, or names the limit that refuses it. */
  async reserve(email: string, address: string): Promise<LoginRefusal | null> {
    await this.cleanUpNowAndThen();
    const account = this.accountCounter(email);
    if (!(await this.take(account))) return 'account';
    if (!(await this.take(this.addressCounter(address)))) {
      await this.refund(account.key);
      return 'address';
    }
    return null;
  }

  /** The password was right: the account starts afresh, and the address gets its attempt back. */
  async succeeded(email: string, address: string): Promise<void> {
    await this.dataSource.query('DELETE FROM login_failures WHERE key = $1', [this.accountCounter(email).key]);
    await this.refund(this.addressCounter(address).key);
  }

  private accountCounter(email: string): Counter {
    return { key: `account:${hashSecret(email.toLowerCase())}`, maxFailures: this.config.login.accountMaxFailures };
  }

  private addressCounter(address: string): Counter {
    return { key: `address:${address}`, maxFailures: this.config.login.addressMaxFailures };
  }

  /**
   * One statement, so concurrent attempts serialise on the row: counts the attempt unless the counter is
   * locked (the last failure plus the lockout its count earns is still ahead), and says whether it did.
   */
  private async take(counter: Counter): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO login_failures AS f (key, failures, last_failure_at) VALUES ($1, 1, now())
       ON CONFLICT (key) DO UPDATE
         SET failures = CASE WHEN f.last_failure_at < now() - make_interval(mins => $3) THEN 1 ELSE f.failures + 1 END,
             last_failure_at = now()
         WHERE f.failures < $2
            OR f.last_failure_at + make_interval(secs => least($4 * power(2, least(f.failures - $2, 30)), $5)) <= now()
       RETURNING 1`,
      [counter.key, counter.maxFailures, this.config.login.failureWindowMinutes, FIRST_LOCKOUT_SECONDS, MAX_LOCKOUT_SECONDS],
    );
    return rows.length > 0;
  }

  private async refund(key: string): Promise<void> {
    await this.dataSource.query('UPDATE login_failures SET failures = greatest(failures - 1, 0) WHERE key = $1', [key]);
  }

  private async cleanUpNowAndThen(): Promise<void> {
    if (Date.now() - this.lastCleanup < CLEANUP_EVERY_MS) return;
    this.lastCleanup = Date.now();
    await this.dataSource.query(`DELETE FROM login_failures WHERE last_failure_at < now() - make_interval(mins => $1) - make_interval(secs => $2)`, [
      this.config.login.failureWindowMinutes,
      MAX_LOCKOUT_SECONDS,
    ]);
  }
}
