import { port } from '@rpm/config';
import { z } from 'zod';

/** Variables `npm start` reads itself; the apps it starts read their own (docs/configuration.md). */
export const launcherVariables = {
  DATA_DIR: z.string().default('data'),
  DATABASE_URL: z.string().optional(),
  DATABASE_MIGRATION_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  EMBEDDED_POSTGRES_PORT: port(54329),
  MQTT_MODE: z.enum(['embedded', 'external']).default('embedded'),
  MQTT_HOST: z.string().default('0.0.0.0'),
  MQTT_PORT: port(1883),
  HTTP_HOST: z.string().default('0.0.0.0'),
  HTTP_PORT: port(3000),
  GATEWAY_HTTP_HOST: z.string().default('0.0.0.0'),
  GATEWAY_HTTP_PORT: port(8081),
  ALERTING_HTTP_HOST: z.string().default('0.0.0.0'),
  ALERTING_HTTP_PORT: port(8082),
  SPOOL_DIR: z.string().optional(),
  INTERNAL_MQTT_PASSWORD: z.string().min(16).optional(),
  DEMO_SEED: z.enum(['true', 'false']).optional(),
  DEMO_COHORT: z.enum(['true', 'false', '1', '0']).optional(),
};
