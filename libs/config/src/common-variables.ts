import { z } from 'zod';

export const port = (fallback: number) => z.coerce.number({ error: 'must be a TCP port number' }).int().min(0).max(65535).default(fallback);

export const databaseVariables = {
  DATABASE_URL: z
    .string({ error: 'is required: a PostgreSQL URL such as postgres://user:password@host:5432/rpm' })
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://'),
  // Each app holds up to this many connections (plus its LISTENs); several instances on one server must stay
  // under its max_connections together.
  DATABASE_POOL_MAX: z.coerce
    .number({ error: 'must be a whole number of connections, e.g. 10' })
    .int({ error: 'must be a whole number of connections, e.g. 10' })
    .min(2, { error: 'must be at least 2' })
    .max(200, { error: 'must be at most 200' })
    .default(10),
};

const optionalText = z.string().min(1).optional();

/**
 * InfluxDB is optional: without INFLUX_URL readings go to the embedded store, a table in PostgreSQL.
 * Line protocol on /write and InfluxQL on /query are served by InfluxDB 1.x, 2.x (v1 compatibility API)
 * and 3.x, so one adapter speaks to all three. 1.x takes a user and password; 2.x and 3.x a token.
 */
export const timeseriesVariables = {
  INFLUX_URL: z.url({ error: 'must be an http(s) URL such as http://localhost:8086' }).optional(),
  INFLUX_TOKEN: optionalText,
  INFLUX_USERNAME: optionalText,
  INFLUX_PASSWORD: optionalText,
  INFLUX_DATABASE: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a database (or 2.x bucket) name of letters, digits, _ and -')
    .default('rpm'),
};

export type TimeseriesConfig = { kind: 'postgres' } | { kind: 'influxdb'; url: string; database: string; token?: string; username?: string; password?: string };

export function timeseriesConfigFrom(env: {
  INFLUX_URL?: string;
  INFLUX_TOKEN?: string;
  INFLUX_USERNAME?: string;
  INFLUX_PASSWORD?: string;
  INFLUX_DATABASE: string;
}): TimeseriesConfig {
  if (!env.INFLUX_URL) return { kind: 'postgres' };
  return {
    kind: 'influxdb',
    url: env.INFLUX_URL,
    database: env.INFLUX_DATABASE,
    token: env.INFLUX_TOKEN,
    username: env.INFLUX_USERNAME,
    password: env.INFLUX_PASSWORD,
  };
}

/**
 * Run cross-variable checks even when single variables already failed, so an operator sees every
 * problem in one go rather than one round of fixes per kind of check.
 */
export const REPORT_WITH_OTHER_PROBLEMS = { when: () => true } as const;

/** Refinement shared by apps that use the time-series store. */
export function checkInfluxCredentials(
  env: { INFLUX_URL?: string; INFLUX_TOKEN?: string; INFLUX_USERNAME?: string; INFLUX_PASSWORD?: string },
  ctx: z.RefinementCtx,
): void {
  if (env.INFLUX_TOKEN && (env.INFLUX_USERNAME || env.INFLUX_PASSWORD)) {
    ctx.addIssue({ code: 'custom', path: ['INFLUX_TOKEN'], message: 'set either INFLUX_TOKEN or INFLUX_USERNAME/INFLUX_PASSWORD, not both' });
  }
  if (Boolean(env.INFLUX_USERNAME) !== Boolean(env.INFLUX_PASSWORD)) {
    ctx.addIssue({ code: 'custom', path: ['INFLUX_PASSWORD'], message: 'INFLUX_USERNAME and INFLUX_PASSWORD go together' });
  }
  if (!env.INFLUX_URL && (env.INFLUX_TOKEN || env.INFLUX_USERNAME)) {
    ctx.addIssue({ code: 'custom', path: ['INFLUX_URL'], message: 'is required when InfluxDB credentials are set' });
  }
}

/** Credentials the alerting app (and other internal services) use on the broker. */
export const INTERNAL_SERVICE_USERNAME_PREFIX = 'service:';

export const internalBrokerVariables = {
  INTERNAL_MQTT_PASSWORD: z
    .string({ error: 'is required: a shared secret of at least 16 characters for internal services on the broker' })
    .min(16, 'must be at least 16 characters'),
};

export const logLevelVariable = {
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
};

/**
 * Signed checkpoints of the audit chain, appended to a file outside the database (docs/deployment.md,
 * "Audit log"). Optional for the API, with a warning when off; `npm start` always sets them.
 */
export const auditCheckpointVariables = {
  AUDIT_CHECKPOINT_FILE: z.string().min(1).optional(),
  AUDIT_CHECKPOINT_KEY: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -hex 32)').optional(),
  AUDIT_CHECKPOINT_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
};

export function checkAuditCheckpoint(env: { AUDIT_CHECKPOINT_FILE?: string; AUDIT_CHECKPOINT_KEY?: string }, ctx: z.RefinementCtx): void {
  if (Boolean(env.AUDIT_CHECKPOINT_FILE) !== Boolean(env.AUDIT_CHECKPOINT_KEY)) {
    ctx.addIssue({
      code: 'custom',
      path: [env.AUDIT_CHECKPOINT_FILE ? 'AUDIT_CHECKPOINT_KEY' : 'AUDIT_CHECKPOINT_FILE'],
      message: 'AUDIT_CHECKPOINT_FILE and AUDIT_CHECKPOINT_KEY go together',
    });
  }
}

export interface AuditCheckpointConfig {
  file: string;
  key: string;
  intervalMs: number;
}

export function auditCheckpointConfigFrom(env: {
  AUDIT_CHECKPOINT_FILE?: string;
  AUDIT_CHECKPOINT_KEY?: string;
  AUDIT_CHECKPOINT_INTERVAL_SECONDS: number;
}): AuditCheckpointConfig | undefined {
  if (!env.AUDIT_CHECKPOINT_FILE || !env.AUDIT_CHECKPOINT_KEY) return undefined;
  return { file: env.AUDIT_CHECKPOINT_FILE, key: env.AUDIT_CHECKPOINT_KEY, intervalMs: env.AUDIT_CHECKPOINT_INTERVAL_SECONDS * 1000 };
}

/**
 * The reading log (NATS JetStream) between the gateway and alerting. Unset, the gateway announces readings
 * on its MQTT broker to one alerting process, as before. Gateway and alerting must agree on all three.
 */
export const eventLogVariables = {
  EVENT_LOG_URL: z
    .string()
    .regex(/^nats:\/\/[^\s,]+(,nats:\/\/[^\s,]+)*$/, 'must be one or more NATS URLs separated by commas, such as nats://127.0.0.1:4222')
    .optional(),
  EVENT_LOG_STREAM: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a JetStream stream name of letters, digits, _ and -')
    .default('rpm_readings'),
  EVENT_LOG_PARTITIONS: z.coerce.number().int().min(1).max(1024).default(16),
};

export interface EventLogConfig {
  servers: string[];
  stream: string;
  partitions: number;
}

export function eventLogConfigFrom(env: { EVENT_LOG_URL?: string; EVENT_LOG_STREAM: string; EVENT_LOG_PARTITIONS: number }): EventLogConfig | undefined {
  if (!env.EVENT_LOG_URL) return undefined;
  return { servers: env.EVENT_LOG_URL.split(','), stream: env.EVENT_LOG_STREAM, partitions: env.EVENT_LOG_PARTITIONS };
}
