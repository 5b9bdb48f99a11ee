import { reconnectDelayMs } from './pg-listener';

describe('reconnectDelayMs', () => {
  it('doubles from the initial delay up to the cap, with at most 20% jitter below', () => {
    for (let failures = 0; failures < 40; failures++) {
      const delay = reconnectDelayMs(failures, 250, 30_000);
      const base = Math.min(30_000, 250 * 2 ** failures);
      expect(delay).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
      expect(delay).toBeLessThanOrEqual(base);
    }
  });
});
