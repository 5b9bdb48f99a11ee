import { z } from 'zod';
import { ALERT_SEVERITIES, ALERT_STATUSES } from '../api.schema';
import { apiDateTime, pageSchema } from './common.schema';

export const alertSchema = z.object({
  id: z.uuid(),
  patientId: z.uuid(),
  ruleId: z.string().describe('The rule that fired: the most severe of its episode that fired.'),
  ruleVersion: z.number().int(),
  episode: z.string().describe('The condition the alert stands for; a patient has at most one live alert per episode.'),
  severity: z.enum(ALERT_SEVERITIES),
  status: z.enum(ALERT_STATUSES),
  title: z.string(),
  reason: z.string(),
  readings: z
    .array(
      z.object({
        deviceId: z.string(),
        metric: z.string(),
        measuredAt: z.string(),
        seq: z.number().int().nullable(),
        values: z.record(z.string(), z.number()),
        unit: z.string(),
      }),
    )
    .describe('The readings the alert rests on.'),
  openedAt: apiDateTime().describe("When the condition began: the measurement time of the episode's first reading (missing data: of the last reading)."),
  raisedAt: apiDateTime().describe("When alerting raised the alert: the reading's measurement time, or the scheduled check's time (missing data)."),
  lastReadingAt: apiDateTime(),
  acknowledgedAt: apiDateTime().nullable(),
  acknowledgedBy: z.uuid().nullable(),
  resolvedAt: apiDateTime().nullable(),
  createdAt: apiDateTime(),
  rule: z.record(z.string(), z.unknown()).describe('The rule definition as it was when the episode opened.'),
  retrospective: z.boolean().describe('Opened from late readings about an episode already over: recorded, never paged.'),
  snoozedUntil: apiDateTime().nullable(),
  escalatedAt: apiDateTime().nullable(),
  resolvedBy: z.uuid().nullable(),
  resolution: z.string().nullable(),
  severityChanges: z
    .array(
      z.object({
        at: z.string(),
        asOf: z.string(),
        from: z.enum(ALERT_SEVERITIES),
        to: z.enum(ALERT_SEVERITIES),
        ruleId: z.string(),
        ruleVersion: z.number().int(),
        title: z.string(),
      }),
    )
    .describe('Each raise of the severity by a more severe rule of the episode, oldest first.'),
});
export const alertsPageResponseSchema = z.object({ alerts: z.array(alertSchema), page: pageSchema });

export const alertCommentSchema = z.object({ id: z.uuid(), text: z.string(), createdAt: apiDateTime(), authorId: z.uuid(), authorName: z.string() });
export const alertCommentsResponseSchema = z.object({ comments: z.array(alertCommentSchema) });

/** The data of one `alert` event of GET /alerts/stream. */
export const alertChangeSchema = z.object({ alertId: z.uuid(), patientId: z.uuid(), status: z.string() });

export type Alert = z.output<typeof alertSchema>;
export type AlertsPageResponse = z.output<typeof alertsPageResponseSchema>;
export type AlertComment = z.output<typeof alertCommentSchema>;
export type AlertChange = z.output<typeof alertChangeSchema>;
