import {
  checkInfluxCredentials,
  databaseVariables,
  logLevelVariable,
  port,
  timeseriesConfigFrom,
  timeseriesVariables,
} from '@rpm/config';
import { z } from 'zod';

export const apiConfigSchema = z
  .object({
    ...databaseVariables,
    ...timeseriesVariables,
    ...logLevelVariable,
    HTTP_HOST: z.string().default('0.0.0.0'),
    HTTP_PORT: port(3000),
    SESSION_TTL_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  })
  .superRefine(checkInfluxCredentials)
  .transform((env) => ({
    databaseUrl: env.DATABASE_URL,
    timeseries: timeseriesConfigFrom(env),
    logLevel: env.LOG_LEVEL,
    http: { host: env.HTTP_HOST, port: env.HTTP_PORT },
    sessionTtlMs: env.SESSION_TTL_HOURS * 3600 * 1000,
  }));

export type ApiConfig = z.infer<typeof apiConfigSchema>;
export const API_CONFIG = Symbol('API_CONFIG');
