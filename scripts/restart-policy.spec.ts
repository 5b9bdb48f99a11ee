import { decideRestart, type RestartPolicy } from './restart-policy';

const policy: RestartPolicy = { firstDelayMs: 1000, maxDelayMs: 4000, maxCrashes: 5, windowMs: 60_000 };
const s = (seconds: number) => seconds * 1000;

describe('restart policy of the launcher', () => {
  it.each([
    ['a first crash restarts after the first delay', [s(0)], 1000, 1],
    ['a second crash within the window waits twice as long', [s(0), s(2)], 2000, 2],
    ['the third, four times as long', [s(0), s(2), s(5)], 4000, 3],
    ['the delay is capped', [s(0), s(1), s(2), s(3)], 4000, 4],
    ['a crash after a quiet window starts over at the first delay', [s(0), s(1), s(2), s(200)], 1000, 1],
    ['only crashes inside the window count', [s(0), s(30), s(70)], 2000, 2],
  ])('%s', (_case, crashTimes, delayMs, recentCrashes) => {
    expect(decideRestart(crashTimes, 1, policy)).toEqual({ action: 'restart', delayMs, recentCrashes });
  });

  it('a signal-killed app (no exit status) restarts like any crash', () => {
    expect(decideRestart([s(10)], null, policy)).toEqual({ action: 'restart', delayMs: 1000, recentCrashes: 1 });
  });

  it.each([
    ['five crashes within the window are a crash loop', [s(0), s(1), s(3), s(7), s(15)], 1, /crashed 5 times within 60 s/],
    ['an invalid configuration (EX_CONFIG) is never retried', [s(0)], 78, /configuration is invalid/],
  ])('%s', (_case, crashTimes, exitCode, reason) => {
    const decision = decideRestart(crashTimes, exitCode, policy);
    expect(decision.action).toBe('give-up');
    expect(decision.action === 'give-up' && decision.reason).toMatch(reason);
  });

  it('five crashes spread wider than the window are not a loop', () => {
    expect(decideRestart([s(0), s(40), s(80), s(120), s(160)], null, policy)).toMatchObject({ action: 'restart' });
  });
});
