/** What one check found: up or down, why it is down, and what readiness shows for it ('up'/'down' unless given). */
export interface HealthCheckResult {
  up: boolean;
  reason?: string;
  report?: unknown;
}

/**
 * One thing an app needs to do its work (its database, its broker, a drain keeping up). A check that
 * throws or outlasts its timeout counts as down. `critical: false` marks a dependency the app can do
 * without for a while (the gateway's store, covered by its spool): reported, and the app is degraded
 * rather than unready while it is down.
 */
export interface HealthIndicator {
  readonly name: string;
  readonly critical?: boolean;
  check(): Promise<HealthCheckResult> | HealthCheckResult;
}

export interface ReadinessReport {
  /** Every critical check is up. */
  ready: boolean;
  /** Ready, but a non-critical check is down. */
  degraded: boolean;
  /** Why each critical check is down, in the order of the indicators. */
  reasons: string[];
  checks: Record<string, unknown>;
}

/** Per-check time limit: a database that hangs must not hang the readiness probe with it. */
export const HEALTH_CHECK_TIMEOUT_MS = 2000;

/** Runs one check within `timeoutMs`; a rejection or a timeout is a down check with the cause as its reason. */
export async function runHealthCheck(indicator: HealthIndicator, timeoutMs = HEALTH_CHECK_TIMEOUT_MS): Promise<HealthCheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HealthCheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ up: false, reason: `${indicator.name} check timed out after ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(() => indicator.check()), timeout]);
  } catch (error) {
    return { up: false, reason: `${indicator.name} check failed: ${(error as Error).message}` };
  } finally {
    clearTimeout(timer);
  }
}

/** Readiness: every indicator checked at once, each within its timeout. Liveness needs no check: answering is enough. */
export async function checkReadiness(indicators: readonly HealthIndicator[], timeoutMs = HEALTH_CHECK_TIMEOUT_MS): Promise<ReadinessReport> {
  const results = await Promise.all(indicators.map((indicator) => runHealthCheck(indicator, timeoutMs)));
  const checks: Record<string, unknown> = {};
  const reasons: string[] = [];
  let ready = true;
  let degraded = false;
  indicators.forEach((indicator, index) => {
    const result = results[index];
    checks[indicator.name] = result.report ?? (result.up ? 'up' : 'down');
    if (result.up) return;
    if (indicator.critical === false) {
      degraded = true;
      return;
    }
    ready = false;
    if (result.reason) reasons.push(result.reason);
  });
  return { ready, degraded: ready && degraded, reasons, checks };
}

/** A check that the database answers `SELECT 1` (or whatever `ping` runs). */
export function databaseIndicator(ping: () => Promise<unknown>, reason = 'database unreachable'): HealthIndicator {
  return {
    name: 'database',
    check: () =>
      ping().then(
        () => ({ up: true }),
        () => ({ up: false, reason }),
      ),
  };
}
