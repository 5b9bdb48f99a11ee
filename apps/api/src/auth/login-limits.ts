import { Inject, Injectable } from '@nestjs/common';
import { hashSecret } from '@rpm/security';
import { LoginFailureRepository } from '@rpm/persistence';
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
    @Inject(LoginFailureRepository) private readonly failures: LoginFailureRepository,
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
    await this.failures.clear(this.accountCounter(email).key);
    await this.refund(this.addressCounter(address).key);
  }

  private accountCounter(email: string): Counter {
    return { key: `account:${hashSecret(email.toLowerCase())}`, maxFailures: this.config.login.accountMaxFailures };
  }

  private addressCounter(address: string): Counter {
    return { key: `address:${address}`, maxFailures: this.config.login.addressMaxFailures };
  }

  /** Counts the attempt unless the counter is locked, atomically (see LoginFailureRepository.take). */
  private take(counter: Counter): Promise<boolean> {
    return this.failures.take(counter.key, {
      maxFailures: counter.maxFailures,
      windowMinutes: this.config.login.failureWindowMinutes,
      firstLockoutSeconds: FIRST_LOCKOUT_SECONDS,
      maxLockoutSeconds: MAX_LOCKOUT_SECONDS,
    });
  }

  private refund(key: string): Promise<void> {
    return this.failures.refund(key);
  }

  private async cleanUpNowAndThen(): Promise<void> {
    if (Date.now() - this.lastCleanup < CLEANUP_EVERY_MS) return;
    this.lastCleanup = Date.now();
    await this.failures.forgetOlderThan(this.config.login.failureWindowMinutes, MAX_LOCKOUT_SECONDS);
  }
}
