import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, loadConfig } from './load-config';
import { checkSimulatedClock, simulatedClockVariables } from './simulated-clock-variables';

const schema = z.object(simulatedClockVariables).superRefine(checkSimulatedClock);
const problems = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(schema, env);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
};

describe('SIMULATED_CLOCK_FILE: opt-in, checked at start, never in production', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rpm-clock-config-'));
  const file = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is off unless set', () => {
    expect(problems({})).toEqual([]);
    expect(problems({ NODE_ENV: 'production' })).toEqual([]);
  });

  it('accepts a readable file holding an ISO 8601 instant', () => {
    expect(problems({ SIMULATED_CLOCK_FILE: file('ok', '2025-01-06T06:00:00.000Z\n') })).toEqual([]);
  });

  it.each([
    ['a missing file', () => path.join(dir, 'absent'), /SIMULATED_CLOCK_FILE: cannot be read \(ENOENT\)/],
    ['a file without an instant', () => file('garbage', 'tomorrow'), /SIMULATED_CLOCK_FILE: must hold an ISO 8601 instant/],
    ['a date alone', () => file('date', '2025-01-06'), /SIMULATED_CLOCK_FILE: must hold an ISO 8601 instant/],
  ])('stops the app on %s', (_case, name, message) => {
    expect(problems({ SIMULATED_CLOCK_FILE: name() })).toEqual([expect.stringMatching(message)]);
  });

  it('is refused with NODE_ENV=production', () => {
    expect(problems({ SIMULATED_CLOCK_FILE: file('prod', '2025-01-06T06:00:00Z'), NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/SIMULATED_CLOCK_FILE: is refused with NODE_ENV=production/),
    ]);
  });
});
