import {
  REPORT_WITH_OTHER_PROBLEMS,
  auditCheckpointConfigFrom,
  auditCheckpointVariables,
  brokerDynsecConfigFrom,
  brokerDynsecVariables,
  checkBrokerDynsec,
  checkAuditCheckpoint,
  checkHttpTls,
  checkInfluxCredentials,
  databaseVariables,
  httpTlsFrom,
  httpTlsVariables,
  logLevelVariable,
  port,
  timeseriesConfigFrom,
  timeseriesVariables,
  checkSimulatedClock,
  simulatedClockVariables,
} from '@rpm/config';
import { z } from 'zod';

export const apiVariables = {
  ...databaseVariables,
  ...timeseriesVariables,
  ...logLevelVariable,
  ...simulatedClockVariables,
  ...auditCheckpointVariables,
  ...brokerDynsecVariables,
  HTTP_HOST: z.string().default('0.0.0.0'),
  HTTP_PORT: port(3000),
  ...httpTlsVariables,
  SESSION_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(12),
  LOGIN_ACCOUNT_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  LOGIN_ADDRESS_MAX_FAILURES: z.coerce.number().int().min(1).max(100_000).default(200),
  LOGIN_FAILURE_WINDOW_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  // Signs the links in reminders to patients (the alerting service signs with the same value). Without it the
  // /p/:token routes answer 404. Not generated: a value that changed per restart would void every link sent.
  PATIENT_LINK_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -hex 32), the same value as the alerting service').optional(),
  TRUST_PROXY: z
    .string()
    .regex(/^[0-9A-Fa-f.:/, ]*$/, 'must be a comma-separated list of proxy addresses or CIDR ranges')
    .default(''),
};

export const apiConfigSchema = z
  .object(apiVariables)
  .superRefine((env, ctx) => {
    checkSimulatedClock(env, ctx);
    checkInfluxCredentials(env, ctx);
    checkHttpTls(env, ctx);
    checkAuditCheckpoint(env, ctx);
    checkBrokerDynsec(env, ctx);
  }, REPORT_WITH_OTHER_PROBLEMS)
  .transform((env) => ({
    databaseUrl: env.DATABASE_URL,
    databasePoolMax: env.DATABASE_POOL_MAX,
    timeseries: timeseriesConfigFrom(env),
    logLevel: env.LOG_LEVEL,
    simulatedClockFile: env.SIMULATED_CLOCK_FILE,
    http: { host: env.HTTP_HOST, port: env.HTTP_PORT, tls: httpTlsFrom(env) },
    sessionTtlMs: env.SESSION_TTL_HOURS * 3600 * 1000,
    auditCheckpoints: auditCheckpointConfigFrom(env),
    brokerDynsec: brokerDynsecConfigFrom(env),
    login: {
      accountMaxFailures: env.LOGIN_ACCOUNT_MAX_FAILURES,
      addressMaxFailures: env.LOGIN_ADDRESS_MAX_FAILURES,
      failureWindowMinutes: env.LOGIN_FAILURE_WINDOW_MINUTES,
    },
    patientLinkSecret: env.PATIENT_LINK_SECRET,
    trustedProxies: env.TRUST_PROXY.split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  }));

export type ApiConfig = z.infer<typeof apiConfigSchema>;
export const API_CONFIG = Symbol('API_CONFIG');
