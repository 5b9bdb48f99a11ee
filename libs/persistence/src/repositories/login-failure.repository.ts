import type { DataSource } from 'typeorm';

export interface LockoutPolicy {
  maxFailures: number;
  /** Failures older than this start the count afresh. */
  windowMinutes: number;
  firstLockoutSeconds: number;
  maxLockoutSeconds: number;
}

/** Failed sign-in counters per key (an account's e-mail hash or a client address). */
export class LoginFailureRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * One statement, so concurrent attempts serialise on the row: counts the attempt unless the counter is
   * locked (the last failure plus the lockout its count earns is still ahead), and says whether it did.
   */
  async take(key: string, policy: LockoutPolicy): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO login_failures AS f (key, failures, last_failure_at) VALUES ($1, 1, now())
       ON CONFLICT (key) DO UPDATE
         SET failures = CASE WHEN f.last_failure_at < now() - make_interval(mins => $3) THEN 1 ELSE f.failures + 1 END,
             last_failure_at = now()
         WHERE f.failures < $2
            OR f.last_failure_at + make_interval(secs => least($4 * power(2, least(f.failures - $2, 30)), $5)) <= now()
       RETURNING 1`,
      [key, policy.maxFailures, policy.windowMinutes, policy.firstLockoutSeconds, policy.maxLockoutSeconds],
    );
    return rows.length > 0;
  }

  async refund(key: string): Promise<void> {
    await this.dataSource.query('UPDATE login_failures SET failures = greatest(failures - 1, 0) WHERE key = $1', [key]);
  }

  async clear(key: string): Promise<void> {
    await this.dataSource.query('DELETE FROM login_failures WHERE key = $1', [key]);
  }

  /** Forgets counters whose window and longest lockout are both over. */
  async forgetOlderThan(windowMinutes: number, maxLockoutSeconds: number): Promise<void> {
    await this.dataSource.query(`DELETE FROM login_failures WHERE last_failure_at < now() - make_interval(mins => $1) - make_interval(secs => $2)`, [
      windowMinutes,
      maxLockoutSeconds,
    ]);
  }
}
