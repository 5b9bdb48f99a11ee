import { parseCliOptions, UsageError } from './cli-options';

describe('npm run sim -- options', () => {
  it('has defaults that run the README demo meter for one day of history', () => {
    expect(parseCliOptions([])).toEqual(
      expect.objectContaining({
        brokerUrl: 'mqtt://localhost:1883',
        source: { kind: 'demo' },
        seed: 'rpm-sim',
        days: 1,
        batchSize: 250,
        live: false,
        scenarios: [],
      }),
    );
    expect(parseCliOptions(['--help'])).toBe('help');
  });

  it('reads devices from a file or provisions through the API, and takes scenarios repeated or comma-separated', () => {
    expect(parseCliOptions(['--devices', 'cohort.json', '--patients', '2', '--scenario', 'hypo,bp-crisis', '--scenario', 'duplicates'])).toEqual(
      expect.objectContaining({ source: { kind: 'file', file: 'cohort.json' }, patients: 2, scenarios: ['hypo', 'bp-crisis', 'duplicates'] }),
    );
    expect(
      parseCliOptions([
        '--api',
        'http://localhost:3000/',
        '--admin-email',
        'a@example.org',
        '--admin-password',
        'pw',
        '--days',
        '0.5',
        '--live',
        '--duration',
        '10',
      ]),
    ).toEqual(
      expect.objectContaining({
        source: {
          kind: 'api',
          apiUrl: 'http://localhost:3000',
          adminEmail: 'a@example.org',
          adminPassword: 'pw',
          careTeamId: undefined,
          saveFile: 'sim-devices.json',
        },
        days: 0.5,
        live: true,
        durationMinutes: 10,
      }),
    );
  });

  it.each([
    [['--days', 'two'], '--days must be a number of days from 0 to 366, got "two"'],
    [['--days=-1'], '--days must be'],
    [['--patients', '0'], '--patients must be a whole number from 1 to 10000'],
    [['--batch-size', '501'], '--batch-size must be a whole number from 1 to 500'],
    [['--speed', '0.5'], '--speed must be a number >= 1'],
    [['--scenario', 'meteor'], 'unknown --scenario "meteor"'],
    [['--profile', 'asthma'], 'unknown --profile "asthma"'],
    [['--api', 'http://localhost:3000'], '--api needs --admin-email and --admin-password'],
    [['--devices', 'a.json', '--api', 'http://x'], 'not both'],
    [['--duration', '5'], '--duration limits --live'],
    [['--url', 'localhost:1883'], '--url must be an mqtt://'],
    [['--frobnicate'], "Unknown option '--frobnicate'"],
    [['stray'], 'unexpected argument "stray"'],
  ])('refuses %j with a usage error', (args, message) => {
    expect(() => parseCliOptions(args)).toThrow(UsageError);
    expect(() => parseCliOptions(args)).toThrow(message);
  });
});
