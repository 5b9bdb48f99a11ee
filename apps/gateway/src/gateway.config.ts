import {
  REPORT_WITH_OTHER_PROBLEMS,
  caFile,
  checkCaFile,
  checkHttpTls,
  checkInfluxCredentials,
  checkServerTlsFiles,
  httpTlsFrom,
  httpTlsVariables,
  pemFile,
  serverTlsFiles,
  databaseVariables,
  eventLogConfigFrom,
  eventLogVariables,
  internalBrokerVariables,
  logLevelVariable,
  port,
  timeseriesConfigFrom,
  timeseriesVariables,
  checkSimulatedClock,
  simulatedClockVariables,
} from '@rpm/config';
import { z } from 'zod';

export const gatewayVariables = {
  ...databaseVariables,
  ...timeseriesVariables,
  ...logLevelVariable,
  ...eventLogVariables,
  ...simulatedClockVariables,
  MQTT_MODE: z.enum(['embedded', 'external']).default('embedded'),
  MQTT_HOST: z.string().default('0.0.0.0'),
  MQTT_PORT: port(1883),
  MQTT_PLAIN: z.enum(['true', 'false'], { error: 'must be true or false' }).default('true'),
  MQTT_TLS_HOST: z.string().min(1).optional(),
  MQTT_TLS_PORT: port(8883),
  MQTT_TLS_CERT_FILE: pemFile,
  MQTT_TLS_KEY_FILE: pemFile,
  MQTT_CA_FILE: pemFile,
  MQTT_URL: z.url({ error: 'must be a broker URL such as mqtt://broker:1883' }).optional(),
  MQTT_USERNAME: z.string().optional(),
  MQTT_PASSWORD: z.string().optional(),
  MQTT_SHARE_GROUP: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('rpm-gateway'),
  MQTT_CLIENT_ID: z.string().min(1).max(128).optional(),
  INTERNAL_MQTT_PASSWORD: internalBrokerVariables.INTERNAL_MQTT_PASSWORD.optional(),
  ...httpTlsVariables,
  GATEWAY_HTTP_HOST: z.string().default('0.0.0.0'),
  GATEWAY_HTTP_PORT: port(8081),
  SPOOL_DIR: z.string().default('data/spool'),
  SPOOL_MAX_MB: z.coerce.number().positive().default(256),
  SPOOL_ALARM_PERCENT: z.coerce.number().min(1).max(100).default(80),
  DRAIN_STALL_SECONDS: z.coerce.number().min(1).default(60),
  // Receipts to devices after the drain stores their readings (docs/device-protocol.md, "Receipts"): at most one
  // per device every 250 ms; off saves those publishes on a broker serving many devices that ignore them.
  DEVICE_RECEIPTS: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
  DEVICE_MAX_MESSAGES_PER_SECOND: z.coerce.number().positive().default(20),
  MAX_MESSAGE_KB: z.coerce
    .number()
    .int()
    .positive()
    .max(256 * 1024)
    .default(256),
};

export const gatewayConfigSchema = z
  .object(gatewayVariables)
  .superRefine((env, ctx) => {
    checkSimulatedClock(env, ctx);
    checkInfluxCredentials(env, ctx);
    checkHttpTls(env, ctx);
    checkServerTlsFiles(env, ctx, 'MQTT_TLS_CERT_FILE', 'MQTT_TLS_KEY_FILE');
    checkCaFile(env, ctx, 'MQTT_CA_FILE');
    const tls = Boolean(env.MQTT_TLS_CERT_FILE || env.MQTT_TLS_KEY_FILE);
    if (env.MQTT_MODE === 'embedded' && env.MQTT_PLAIN === 'false' && !tls) {
      ctx.addIssue({
        code: 'custom',
        path: ['MQTT_PLAIN'],
        message: 'false turns off the plain MQTT listener, which leaves devices no way in: set MQTT_TLS_CERT_FILE and MQTT_TLS_KEY_FILE too',
      });
    }
    const sameHost = (env.MQTT_TLS_HOST ?? env.MQTT_HOST) === env.MQTT_HOST;
    if (env.MQTT_MODE === 'embedded' && tls && env.MQTT_PLAIN === 'true' && sameHost && env.MQTT_TLS_PORT === env.MQTT_PORT) {
      ctx.addIssue({ code: 'custom', path: ['MQTT_TLS_PORT'], message: `must differ from MQTT_PORT (${env.MQTT_PORT}), or set MQTT_PLAIN=false` });
    }
    if (env.MQTT_MODE === 'external' && !env.MQTT_URL) {
      ctx.addIssue({ code: 'custom', path: ['MQTT_URL'], message: 'is required when MQTT_MODE=external' });
    }
    if (env.MQTT_MODE === 'embedded' && !env.INTERNAL_MQTT_PASSWORD) {
      ctx.addIssue({
        code: 'custom',
        path: ['INTERNAL_MQTT_PASSWORD'],
        message: 'is required with the embedded broker: the secret internal services (alerting) log in with, 16+ characters',
      });
    }
  }, REPORT_WITH_OTHER_PROBLEMS)
  .transform((env) => ({
    databaseUrl: env.DATABASE_URL,
    databasePoolMax: env.DATABASE_POOL_MAX,
    timeseries: timeseriesConfigFrom(env),
    logLevel: env.LOG_LEVEL,
    eventLog: eventLogConfigFrom(env),
    simulatedClockFile: env.SIMULATED_CLOCK_FILE,
    http: { host: env.GATEWAY_HTTP_HOST, port: env.GATEWAY_HTTP_PORT, tls: httpTlsFrom(env) },
    spool: {
      dir: env.SPOOL_DIR,
      maxBytes: Math.round(env.SPOOL_MAX_MB * 1024 * 1024),
      alarmPercent: env.SPOOL_ALARM_PERCENT,
      stallMs: env.DRAIN_STALL_SECONDS * 1000,
    },
    deviceReceipts: env.DEVICE_RECEIPTS === 'on',
    limits: { messagesPerSecond: env.DEVICE_MAX_MESSAGES_PER_SECOND, maxMessageBytes: env.MAX_MESSAGE_KB * 1024 },
    mqtt:
      env.MQTT_MODE === 'embedded'
        ? {
            mode: 'embedded' as const,
            host: env.MQTT_HOST,
            plainPort: env.MQTT_PLAIN === 'true' ? env.MQTT_PORT : undefined,
            tls: mqttTlsListener(env),
            internalPassword: env.INTERNAL_MQTT_PASSWORD!,
          }
        : {
            mode: 'external' as const,
            url: env.MQTT_URL!,
            ca: caFile(env.MQTT_CA_FILE),
            username: env.MQTT_USERNAME,
            password: env.MQTT_PASSWORD,
            shareGroup: env.MQTT_SHARE_GROUP,
            clientId: env.MQTT_CLIENT_ID,
          },
  }));

function mqttTlsListener(env: { MQTT_HOST: string; MQTT_TLS_HOST?: string; MQTT_TLS_PORT: number; MQTT_TLS_CERT_FILE?: string; MQTT_TLS_KEY_FILE?: string }) {
  const files = serverTlsFiles(env.MQTT_TLS_CERT_FILE, env.MQTT_TLS_KEY_FILE);
  return files && { host: env.MQTT_TLS_HOST ?? env.MQTT_HOST, port: env.MQTT_TLS_PORT, ...files };
}

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
