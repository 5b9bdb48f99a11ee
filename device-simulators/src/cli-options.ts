import { MAX_BATCH_SIZE } from '@rpm/contracts';
import { parseArgs } from 'node:util';
import { PATIENT_PROFILES, type PatientProfile } from './cohort/patient-profile';
import { SCENARIOS, type Scenario } from './scenarios/scenario-names';

export const USAGE = `Usage: npm run sim -- [options]

Runs virtual patients and their devices over MQTT with device protocol v1 only (docs/device-protocol.md):
sends --days of history as batches, then optionally keeps publishing live, and prints what the gateway
did with every reading.

Devices (one of):
  --devices FILE        JSON list of {patientId?, deviceId, secret, kind, profile?, scenarios?}
  --api URL             provision a cohort through the HTTP API as an administrator:
  --admin-email EMAIL     administrator log-in (required with --api)
  --admin-password PW     (required with --api)
  --care-team ID          existing care team for the patients (default: a new one)
  --save FILE             where to write the provisioned credentials (default sim-devices.json),
                          to rerun with --devices FILE
  (neither: the README's demo glucose meter demo-glucose-meter / demo-device-secret)

Patients and time:
  --patients N          patients to provision, or the first N patients of --devices (default 3)
  --profile P           every provisioned patient this profile: ${PATIENT_PROFILES.join(', ')}
                        (default: a mix)
  --seed S              same seed, same readings (default rpm-sim)
  --days D              history to send first, in days, fractions allowed (default 1)
  --batch-size N        readings per history batch, 1-${MAX_BATCH_SIZE} (default 250)
  --speed X             replay the history at X times real time instead of as batches
  --live                keep publishing in real time after the history (Ctrl-C stops)
  --duration MIN        stop live publishing after MIN minutes

Scenarios (repeat or comma-separate):
  --scenario S          ${SCENARIOS.join(', ')}

Other:
  --url URL             MQTT broker (default mqtt://localhost:1883)
  --json                print the summary as JSON on stdout
  --help                this text
`;

export interface CliOptions {
  brokerUrl: string;
  source:
    | { kind: 'file'; file: string }
    | { kind: 'api'; apiUrl: string; adminEmail: string; adminPassword: string; careTeamId?: string; saveFile: string }
    | { kind: 'demo' };
  patients?: number;
  profile?: PatientProfile;
  seed: string;
  days: number;
  batchSize: number;
  speed?: number;
  live: boolean;
  durationMinutes?: number;
  scenarios: Scenario[];
  json: boolean;
}

/** A usage error: the CLI prints it with the usage text and exits with status 2. */
export class UsageError extends Error {}

function number(name: string, raw: string | undefined, check: (value: number) => boolean, rule: string): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || !check(value)) throw new UsageError(`--${name} must be ${rule}, got "${raw}"`);
  return value;
}

/** Parses the command line; throws UsageError for anything it cannot use. Returns 'help' for --help. */
export function parseCliOptions(args: string[]): CliOptions | 'help' {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);

  const scenarios = (values.scenario ?? [])
    .flatMap((list) => list.split(','))
    .map((name) => name.trim())
    .filter(Boolean);
  for (const scenario of scenarios) {
    if (!(SCENARIOS as readonly string[]).includes(scenario)) throw new UsageError(`unknown --scenario "${scenario}"; one of ${SCENARIOS.join(', ')}`);
  }
  if (values.profile !== undefined && !(PATIENT_PROFILES as readonly string[]).includes(values.profile)) {
    throw new UsageError(`unknown --profile "${values.profile}"; one of ${PATIENT_PROFILES.join(', ')}`);
  }
  if (values.devices && values.api) throw new UsageError('give --devices FILE or --api URL, not both');
  let source: CliOptions['source'] = { kind: 'demo' };
  if (values.devices) source = { kind: 'file', file: values.devices };
  if (values.api) {
    if (!values['admin-email'] || !values['admin-password']) throw new UsageError('--api needs --admin-email and --admin-password');
    try {
      new URL(values.api);
    } catch {
      throw new UsageError(`--api must be a URL such as http://localhost:3000, got "${values.api}"`);
    }
    source = {
      kind: 'api',
      apiUrl: values.api.replace(/\/$/, ''),
      adminEmail: values['admin-email'],
      adminPassword: values['admin-password'],
      careTeamId: values['care-team'],
      saveFile: values.save ?? 'sim-devices.json',
    };
  }
  if (!/^mqtts?:\/\//.test(values.url)) throw new UsageError(`--url must be an mqtt:// or mqtts:// URL, got "${values.url}"`);
  const live = values.live ?? false;
  const durationMinutes = number('duration', values.duration, (value) => value > 0, 'a positive number of minutes');
  if (durationMinutes !== undefined && !live) throw new UsageError('--duration limits --live; add --live');
  return {
    brokerUrl: values.url,
    source,
    patients: number('patients', values.patients, (value) => Number.isInteger(value) && value >= 1 && value <= 10_000, 'a whole number from 1 to 10000'),
    profile: values.profile as PatientProfile | undefined,
    seed: values.seed,
    days: number('days', values.days, (value) => value >= 0 && value <= 366, 'a number of days from 0 to 366')!,
    batchSize: number(
      'batch-size',
      values['batch-size'],
      (value) => Number.isInteger(value) && value >= 1 && value <= MAX_BATCH_SIZE,
      `a whole number from 1 to ${MAX_BATCH_SIZE}`,
    )!,
    speed: number('speed', values.speed, (value) => value >= 1, 'a number >= 1 (times real time)'),
    live,
    durationMinutes,
    scenarios: [...new Set(scenarios as Scenario[])],
    json: values.json ?? false,
  };
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      url: { type: 'string', default: 'mqtt://localhost:1883' },
      devices: { type: 'string' },
      api: { type: 'string' },
      'admin-email': { type: 'string' },
      'admin-password': { type: 'string' },
      'care-team': { type: 'string' },
      save: { type: 'string' },
      patients: { type: 'string' },
      profile: { type: 'string' },
      seed: { type: 'string', default: 'rpm-sim' },
      days: { type: 'string', default: '1' },
      'batch-size': { type: 'string', default: '250' },
      speed: { type: 'string' },
      live: { type: 'boolean' },
      duration: { type: 'string' },
      scenario: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
}
