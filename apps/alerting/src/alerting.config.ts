import { databaseVariables, logLevelVariable } from '@rpm/config';
import { z } from 'zod';

export const alertingVariables = {
  ...databaseVariables,
  ...logLevelVariable,
  MQTT_URL: z.url({ error: 'must be the broker URL the gateway announces readings on, e.g. mqtt://127.0.0.1:1883' }),
  MQTT_USERNAME: z.string().default('service:alerting'),
  MQTT_PASSWORD: z.string({ error: 'is required: with the embedded broker, the same value as INTERNAL_MQTT_PASSWORD' }),
  MQTT_CLIENT_ID: z.string().default('rpm-alerting'),
};

export const alertingConfigSchema = z
  .object(alertingVariables)
  .transform((env) => ({
    databaseUrl: env.DATABASE_URL,
    logLevel: env.LOG_LEVEL,
    mqtt: { url: env.MQTT_URL, username: env.MQTT_USERNAME, password: env.MQTT_PASSWORD, clientId: env.MQTT_CLIENT_ID },
  }));

export type AlertingConfig = z.infer<typeof alertingConfigSchema>;
export const ALERTING_CONFIG = Symbol('ALERTING_CONFIG');
