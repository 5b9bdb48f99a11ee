import { z } from 'zod';
import { ALERT_SEVERITIES, ALERT_STATUSES } from '../api.schema';
import { apiDateTime, pageSchema } from './common.schema';

export const alertSchema = z.object({
  id: z.uuid(),
  patientId: z.uuid(),
  ruleId: z.string(),
  ruleVersion: z.number().int(),
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
  openedAt: apiDateTime().describe('Measurement time of the first reading of the episode.'),
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
