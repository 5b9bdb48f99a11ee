/**
 * When the launcher restarts a crashed app, and when it stops trying. Pure, so the policy is tested as a
 * table: crashes older than the window are forgiven, so an app that crashes once a day restarts after
 * 1 s every time, while one that crashes on every start is given up on within a minute.
 */
export interface RestartPolicy {
  /** Delay before the first restart; doubled for every further crash within the window. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** This many crashes within windowMs is a crash loop. */
  maxCrashes: number;
  windowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { firstDelayMs: 1000, maxDelayMs: 30_000, maxCrashes: 5, windowMs: 120_000 };

/** EX_CONFIG: the app refused its configuration; starting it again cannot help. */
const CONFIGURATION_ERROR = 78;

export type RestartDecision = { action: 'restart'; delayMs: number; recentCrashes: number } | { action: 'give-up'; reason: string };

/**
 * `crashTimes`: when the app crashed, oldest first, the crash being decided on last.
 * `exitCode`: its status, or null when a signal ended it.
 */
export function decideRestart(crashTimes: readonly number[], exitCode: number | null, policy: RestartPolicy = DEFAULT_RESTART_POLICY): RestartDecision {
  if (exitCode === CONFIGURATION_ERROR) return { action: 'give-up', reason: 'its configuration is invalid; fix the variables it names above' };
  const now = crashTimes[crashTimes.length - 1];
  const recentCrashes = crashTimes.filter((time) => now - time < policy.windowMs).length;
  if (recentCrashes >= policy.maxCrashes) {
    return { action: 'give-up', reason: `it crashed ${recentCrashes} times within ${policy.windowMs / 1000} s (a crash loop)` };
  }
  const delayMs = Math.min(policy.firstDelayMs * 2 ** (recentCrashes - 1), policy.maxDelayMs);
  return { action: 'restart', delayMs, recentCrashes };
}
