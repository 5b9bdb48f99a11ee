import { z } from 'zod';
import { eventLogVariables } from './common-variables';
import { ConfigError, loadConfig } from './load-config';

const problems = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(z.object(eventLogVariables), env);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
};

describe('loadConfig: a number variable that is no number', () => {
  it('names what was given and what it needs, not "expected number, received NaN"', () => {
    expect(problems({ EVENT_LOG_PARTITIONS: 'sixteen' })).toEqual(['EVENT_LOG_PARTITIONS: must be a number, not "sixteen"']);
  });

  it('keeps the range message for a number out of range', () => {
    expect(problems({ EVENT_LOG_PARTITIONS: '0' })).toEqual([expect.stringMatching(/^EVENT_LOG_PARTITIONS: Too small: expected number to be >=1$/)]);
  });
});
