import {
  REPORT_WITH_OTHER_PROBLEMS,
  caFile,
  checkCaFile,
  checkInfluxCredentials,
  databaseVariables,
  eventLogConfigFrom,
  eventLogVariables,
  logLevelVariable,
  port,
  pemFile,
  timeseriesConfigFrom,
  timeseriesVariables,
  checkSimulatedClock,
  simulatedClockVariables,
} from '@rpm/config';
import { z } from 'zod';

const minutes = (fallback: number) => z.coerce.number().positive().default(fallback);

export const alertingVariables = {
  ...databaseVariables,
  ...timeseriesVariables,
  ...logLevelVariable,
  ...eventLogVariables,
  ...simulatedClockVariables,
  MQTT_URL: z.url({ error: 'must be the broker URL the gateway announces readings on, e.g. mqtt://127.0.0.1:1883 or mqtts://gateway:8883' }).optional(),
  MQTT_USERNAME: z.string().default('service:alerting'),
  MQTT_PASSWORD: z.string().optional(),
  // The embedded broker accepts a service only under a client id starting with its user name.
  MQTT_CLIENT_ID: z.string().default('service:alerting'),
  MQTT_CA_FILE: pemFile,
  ALERTING_HTTP_HOST: z.string().default('0.0.0.0'),
  ALERTING_HTTP_PORT: port(8082),
  LATE_READING_MINUTES: minutes(15),
  ALERTING_LAG_ALARM_SECONDS: z.coerce.number().positive().default(60),
  ESCALATE_URGENT_AFTER_MINUTES: minutes(15),
  ESCALATE_WARNING_AFTER_MINUTES: minutes(240),
  SCHEDULED_RULES_EVERY_SECONDS: z.coerce.number().positive().default(60),
  // The queues wake on PostgreSQL notifications and at their rows' due times; this poll is only a safety net.
  JOBS_FALLBACK_POLL_SECONDS: z.coerce.number().positive().max(3600).default(30),
  FOLLOW_UP_EVERY_SECONDS: z.coerce.number().positive().default(3600),
  ALERT_EMAIL_SMTP_URL: z.url({ error: 'must be an SMTP URL such as smtp://user:password@mail.example.org:587' }).optional(),
  ALERT_EMAIL_FROM: z.string().default('RPM alerts <alerts@localhost>'),
  ALERT_ESCALATION_EMAIL: z.email().optional(),
  ALERT_SMS_GATEWAY_URL: z.url().optional(),
  ALERT_SMS_GATEWAY_TOKEN: z.string().min(1).optional(),
  ALERT_WEBHOOK_URL: z.url().optional(),
  ALERT_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  // Reminders to patients: links signed with the API's PATIENT_LINK_SECRET, pointing at PATIENT_LINK_BASE_URL.
  PATIENT_LINK_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -hex 32), the same value as the API').optional(),
  PATIENT_LINK_BASE_URL: z.url({ error: "must be the API's public address, e.g. https://rpm.example.org" }).optional(),
  VOICE_URL: z.url().optional(),
  VOICE_TOKEN: z.string().min(1).optional(),
};

export const alertingConfigSchema = z
  .object(alertingVariables)
  .superRefine((env, ctx) => {
    checkSimulatedClock(env, ctx);
    checkInfluxCredentials(env, ctx);
    checkCaFile(env, ctx, 'MQTT_CA_FILE');
    // With the reading log, alerting takes readings from NATS and needs no broker.
    if (!env.EVENT_LOG_URL && !env.MQTT_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['MQTT_URL'],
        message: 'is required without EVENT_LOG_URL: the broker URL the gateway announces readings on, e.g. mqtt://127.0.0.1:1883',
      });
    }
    if (!env.EVENT_LOG_URL && env.MQTT_PASSWORD === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['MQTT_PASSWORD'],
        message: 'is required without EVENT_LOG_URL: with the embedded broker, the same value as INTERNAL_MQTT_PASSWORD',
      });
    }
    if (env.ALERT_SMS_GATEWAY_URL && !env.ALERT_SMS_GATEWAY_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['ALERT_SMS_GATEWAY_TOKEN'], message: 'is required with ALERT_SMS_GATEWAY_URL' });
    }
    if (env.ALERT_WEBHOOK_URL && !env.ALERT_WEBHOOK_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['ALERT_WEBHOOK_SECRET'], message: 'is required with ALERT_WEBHOOK_URL: receivers verify the signature with it' });
    }
    if (env.PATIENT_LINK_SECRET && !env.PATIENT_LINK_BASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['PATIENT_LINK_BASE_URL'], message: 'is required with PATIENT_LINK_SECRET: the links in reminders point at it' });
    }
    if (env.VOICE_URL && !env.VOICE_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['VOICE_TOKEN'], message: 'is required with VOICE_URL' });
    }
  }, REPORT_WITH_OTHER_PROBLEMS)
  .transform((env) => ({
    databaseUrl: env.DATABASE_URL,
    databasePoolMax: env.DATABASE_POOL_MAX,
    timeseries: timeseriesConfigFrom(env),
    logLevel: env.LOG_LEVEL,
    eventLog: eventLogConfigFrom(env),
    simulatedClockFile: env.SIMULATED_CLOCK_FILE,
    mqtt: env.MQTT_URL
      ? { url: env.MQTT_URL, username: env.MQTT_USERNAME, password: env.MQTT_PASSWORD, clientId: env.MQTT_CLIENT_ID, ca: caFile(env.MQTT_CA_FILE) }
      : undefined,
    http: { host: env.ALERTING_HTTP_HOST, port: env.ALERTING_HTTP_PORT },
    lateReadingMs: env.LATE_READING_MINUTES * 60_000,
    lagAlarmMs: env.ALERTING_LAG_ALARM_SECONDS * 1000,
    escalateAfterMs: { urgent: env.ESCALATE_URGENT_AFTER_MINUTES * 60_000, warning: env.ESCALATE_WARNING_AFTER_MINUTES * 60_000 },
    scheduledRulesEveryMs: env.SCHEDULED_RULES_EVERY_SECONDS * 1000,
    jobsFallbackPollMs: env.JOBS_FALLBACK_POLL_SECONDS * 1000,
    followUpEveryMs: env.FOLLOW_UP_EVERY_SECONDS * 1000,
    webhook: env.ALERT_WEBHOOK_URL ? { url: env.ALERT_WEBHOOK_URL, secret: env.ALERT_WEBHOOK_SECRET! } : undefined,
    sms: env.ALERT_SMS_GATEWAY_URL ? { url: env.ALERT_SMS_GATEWAY_URL, token: env.ALERT_SMS_GATEWAY_TOKEN! } : undefined,
    patientLinks: env.PATIENT_LINK_SECRET ? { secret: env.PATIENT_LINK_SECRET, baseUrl: env.PATIENT_LINK_BASE_URL! } : undefined,
    voice: env.VOICE_URL ? { url: env.VOICE_URL, token: env.VOICE_TOKEN! } : undefined,
    email: env.ALERT_EMAIL_SMTP_URL
      ? { smtpUrl: env.ALERT_EMAIL_SMTP_URL, from: env.ALERT_EMAIL_FROM, escalationAddress: env.ALERT_ESCALATION_EMAIL }
      : undefined,
  }));

export type AlertingConfig = z.infer<typeof alertingConfigSchema>;
export const ALERTING_CONFIG = Symbol('ALERTING_CONFIG');
