import { checkReadiness, runHealthCheck, type HealthIndicator } from './health-indicators';

const up = (name: string): HealthIndicator => ({ name, check: () => ({ up: true }) });

describe('health indicators', () => {
  it('counts a check that outlasts its timeout as down, with the reason', async () => {
    const hanging: HealthIndicator = { name: 'database', check: () => new Promise(() => undefined) };
    const started = Date.now();
    await expect(runHealthCheck(hanging, 50)).resolves.toEqual({ up: false, reason: 'database check timed out after 50 ms' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('counts a check that throws as down', async () => {
    const failing: HealthIndicator = {
      name: 'broker',
      check: () => {
        throw new Error('no socket');
      },
    };
    await expect(runHealthCheck(failing)).resolves.toEqual({ up: false, reason: 'broker check failed: no socket' });
  });

  it('is ready while every critical check is up, degraded when only a non-critical one is down, and lists reasons in order', async () => {
    const store: HealthIndicator = { name: 'store', critical: false, check: () => ({ up: false }) };
    const spool: HealthIndicator = { name: 'spool', check: () => ({ up: true, report: { full: false } }) };
    expect(await checkReadiness([up('database'), store, spool])).toEqual({
      ready: true,
      degraded: true,
      reasons: [],
      checks: { database: 'up', store: 'down', spool: { full: false } },
    });
    const down = (name: string, reason: string): HealthIndicator => ({ name, check: () => ({ up: false, reason }) });
    const report = await checkReadiness([down('database', 'database unreachable'), store, down('drain', 'drain stalled')]);
    expect(report).toEqual(expect.objectContaining({ ready: false, degraded: false, reasons: ['database unreachable', 'drain stalled'] }));
  });
});
