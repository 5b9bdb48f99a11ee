import { z } from 'zod';
import { metricSchema } from './device-payloads.schema';

/**
 * Free text a clinician types. PostgreSQL text and jsonb cannot hold the NUL character, so it is refused
 * here with a clear message rather than by the database as a server error.
 */
export const safeText = () => z.string().refine((text) => !text.includes('\u0000'), 'must not contain the NUL character (\\u0000)');

/** Years every store can hold and every clinical date plausibly falls in (InfluxDB: 1677-2262; PostgreSQL far wider). */
export const DATE_RANGE = { from: '1900-01-01T00:00:00Z', to: '2200-01-01T00:00:00Z' } as const;
const [earliest, latest] = [Date.parse(DATE_RANGE.from), Date.parse(DATE_RANGE.to)];

/** An ISO 8601 date-time with an offset, within DATE_RANGE (year 0 passes the ISO format but no database). */
export const isoDateTime = () =>
  z.iso.datetime({ offset: true }).refine((value) => {
    const at = Date.parse(value);
    return at >= earliest && at < latest;
  }, `must be between ${DATE_RANGE.from} and ${DATE_RANGE.to}`);

/** JSON whose strings hold no NUL character (jsonb refuses \u0000 like text does). */
const holdsNoNul = (value: unknown): boolean => !JSON.stringify(value).includes('\\u0000');

export const loginRequestSchema = z
  .object({
    email: z.email().max(254),
    password: z.string().min(1).max(1024),
  })
  .strict();

export const readingsQuerySchema = z.object({
  metric: metricSchema.optional(),
  from: isoDateTime().optional().describe('Default: 7 days before `to`.'),
  to: isoDateTime().optional().describe('Default: now.'),
  limit: z.coerce.number().int().min(1).max(10_000).default(1_000),
});

export const ALERT_STATUSES = ['open', 'acknowledged', 'snoozed', 'resolved'] as const;
export const ALERT_SEVERITIES = ['info', 'warning', 'urgent'] as const;

export type LoginRequest = z.infer<typeof loginRequestSchema>;
export type ReadingsQuery = z.infer<typeof readingsQuerySchema>;

export const DEVICE_KINDS = ['glucose_meter', 'cgm', 'blood_pressure_cuff', 'wearable', 'pulse_oximeter', 'hub'] as const;
export const deviceKindSchema = z.enum(DEVICE_KINDS);

export const registerDeviceRequestSchema = z
  .object({
    kind: deviceKindSchema,
    deviceId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and -, at most 64')
      .optional()
      .describe('Defaults to a generated id; a device maker may use its serial number.'),
  })
  .strict();

export const pairingCodeRequestSchema = z.object({ kind: deviceKindSchema }).strict();

export const pairingClaimRequestSchema = z
  .object({
    code: z
      .string()
      .trim()
      .toUpperCase()
      // Typed from the discharge sheet: the dash may be left out or typed as a space.
      .regex(/^[A-Z0-9]{4}[- ]?[A-Z0-9]{4}$/, 'a pairing code looks like ABCD-2345'),
  })
  .strict();

export type RegisterDeviceRequest = z.infer<typeof registerDeviceRequestSchema>;
export type PairingCodeRequest = z.infer<typeof pairingCodeRequestSchema>;
export type PairingClaimRequest = z.infer<typeof pairingClaimRequestSchema>;

export const snoozeAlertRequestSchema = z
  .object({
    minutes: z
      .number()
      .int()
      .min(5)
      .max(24 * 60),
  })
  .strict();
export const resolveAlertRequestSchema = z.object({ note: safeText().max(2000).optional() }).strict();
export type SnoozeAlertRequest = z.infer<typeof snoozeAlertRequestSchema>;
export type ResolveAlertRequest = z.infer<typeof resolveAlertRequestSchema>;

/** Pathway templates shipped (libs/clinical/src/pathways; docs/follow-up-pathways.md). */
export const FOLLOW_UP_PATHWAYS = ['diabetes', 'hypertension', 'post_surgery', 'oncology_post_surgery', 'mental_health'] as const;
export const enrolFollowUpRequestSchema = z
  .object({
    pathway: z.enum(FOLLOW_UP_PATHWAYS),
    /** The surgery or discharge date an anchored pathway counts from (default: today). */
    anchorAt: isoDateTime().optional(),
    assignedTo: z.uuid().optional(),
  })
  .strict();
/** A clinician's own setting, at any time (also after confirming a proposal). */
export const setFollowUpRequestSchema = z
  .object({
    pathway: z.enum(FOLLOW_UP_PATHWAYS).optional(),
    anchorAt: isoDateTime().optional(),
    intervalDays: z.number().int().min(1).max(730).optional(),
    nextDueAt: isoDateTime().optional(),
    assignedTo: z.uuid().nullable().optional(),
  })
  .strict();
export type SetFollowUpRequest = z.infer<typeof setFollowUpRequestSchema>;
export const CALL_OUTCOMES = ['reached', 'no_answer', 'wrong_number', 'declined', 'rescheduled'] as const;
export const callAttemptRequestSchema = z.object({ outcome: z.enum(CALL_OUTCOMES), note: safeText().max(2000).optional() }).strict();
export const escalateFollowUpRequestSchema = z.object({ reason: safeText().min(1).max(2000) }).strict();
export type CallAttemptRequest = z.infer<typeof callAttemptRequestSchema>;
export type EscalateFollowUpRequest = z.infer<typeof escalateFollowUpRequestSchema>;

/** Staff roles: dietitians and psychologists are members of the care team who carry follow-up tasks. */
export const STAFF_ROLES = ['doctor', 'nurse', 'admin', 'dietitian', 'psychologist'] as const;
/** The multidisciplinary team's follow-up tasks, by the discipline (staff role) that carries them out. */
export const FOLLOW_UP_TASK_KINDS = {
  dietitian: ['nutrition_review', 'weight_review'],
  psychologist: ['phq9_follow_up', 'wellbeing_call'],
} as const;
export type TaskDiscipline = keyof typeof FOLLOW_UP_TASK_KINDS;
export type FollowUpTaskKind = (typeof FOLLOW_UP_TASK_KINDS)[TaskDiscipline][number];
export const TASK_DISCIPLINES = Object.keys(FOLLOW_UP_TASK_KINDS) as TaskDiscipline[];
const TASK_KINDS = Object.values(FOLLOW_UP_TASK_KINDS).flat() as [FollowUpTaskKind, ...FollowUpTaskKind[]];
/** The discipline that carries out a kind of task. */
export const taskDiscipline = (kind: FollowUpTaskKind): TaskDiscipline =>
  TASK_DISCIPLINES.find((discipline) => (FOLLOW_UP_TASK_KINDS[discipline] as readonly string[]).includes(kind))!;
export const createFollowUpTaskRequestSchema = z
  .object({
    kind: z.enum(TASK_KINDS),
    dueAt: isoDateTime(),
    /** A member of the patient's care team with the task's discipline as role; unassigned when absent. */
    assignedTo: z.uuid().nullable().optional(),
    reason: safeText().min(1).max(2000),
  })
  .strict();
export const completeFollowUpTaskRequestSchema = z
  .object({ status: z.enum(['done', 'cancelled']).default('done'), outcome: safeText().min(1).max(4000) })
  .strict();
export type CreateFollowUpTaskRequest = z.infer<typeof createFollowUpTaskRequestSchema>;
export type CompleteFollowUpTaskRequest = z.infer<typeof completeFollowUpTaskRequestSchema>;
export const overrideFollowUpRequestSchema = z.object({ intervalDays: z.number().int().min(1).max(730), note: safeText().max(2000).optional() }).strict();
export type EnrolFollowUpRequest = z.infer<typeof enrolFollowUpRequestSchema>;
export type OverrideFollowUpRequest = z.infer<typeof overrideFollowUpRequestSchema>;

/** A clinician's change to one default rule for one patient; the parameters are checked against the rule's kind. */
export const ruleOverrideRequestSchema = z
  .object({
    disabled: z.boolean().default(false),
    params: z.record(z.string(), z.unknown()).refine(holdsNoNul, 'must not contain the NUL character (\\u0000)').default({}),
  })
  .strict();
export type RuleOverrideRequest = z.infer<typeof ruleOverrideRequestSchema>;

/** clinic, telephone, video, home and message are contacts (they complete a due follow-up); a discharge or an admission is an event. */
export const VISIT_TYPES = ['clinic', 'telephone', 'video', 'home', 'message', 'hospital_discharge', 'admission'] as const;
export const createVisitRequestSchema = z
  .object({
    occurredAt: isoDateTime(),
    type: z.enum(VISIT_TYPES),
    notes: safeText().max(10_000).optional(),
    outcome: safeText().max(2000).optional(),
    /** comprehensive_review: the contact also completes the recurring comprehensive review. */
    purpose: z.enum(['comprehensive_review']).optional(),
  })
  .strict();
export const updateVisitRequestSchema = createVisitRequestSchema.partial().strict();
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type CreateVisitRequest = z.infer<typeof createVisitRequestSchema>;
export type UpdateVisitRequest = z.infer<typeof updateVisitRequestSchema>;
export type PageQuery = z.infer<typeof pageQuerySchema>;

export const aggregateQuerySchema = z.object({
  metric: metricSchema,
  from: isoDateTime().optional().describe('Default: 30 days before `to`.'),
  to: isoDateTime().optional().describe('Default: now.'),
  bucketMinutes: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 1440)
    .optional()
    .describe('Default: the range in about 500 buckets, at least 5 min.'),
});
export const timelineQuerySchema = z.object({
  from: isoDateTime().optional().describe('Default: 7 days before `to`.'),
  to: isoDateTime().optional().describe('Default: now.'),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});
export const alertsQuerySchema = pageQuerySchema.extend({
  status: z.enum(ALERT_STATUSES).optional(),
  severity: z.enum(ALERT_SEVERITIES).optional(),
});
export const alertCommentRequestSchema = z.object({ text: safeText().trim().min(1).max(4000) }).strict();
export type AlertsQuery = z.infer<typeof alertsQuerySchema>;
export type AlertCommentRequest = z.infer<typeof alertCommentRequestSchema>;

export type AggregateQueryParams = z.infer<typeof aggregateQuerySchema>;
export type TimelineQuery = z.infer<typeof timelineQuerySchema>;

export const createCareTeamRequestSchema = z.object({ name: safeText().min(1).max(200) }).strict();
export const createUserRequestSchema = z
  .object({
    email: z.email().max(254),
    displayName: safeText().min(1).max(200),
    role: z.enum(STAFF_ROLES),
    password: z.string().min(12, 'at least 12 characters').max(1024),
    phone: z
      .string()
      .regex(/^\+[1-9][0-9]{6,14}$/, 'E.164, e.g. +447700900123')
      .optional(),
  })
  .strict();
export const addCareTeamMemberRequestSchema = z.object({ userId: z.uuid() }).strict();
export const createPatientRequestSchema = z
  .object({
    displayName: safeText().min(1).max(200),
    programme: z.enum(['diabetes', 'hypertension', 'post_surgery', 'wearables']),
    careTeamId: z.uuid(),
    timeZone: z
      .string()
      .refine((zone) => Intl.supportedValuesOf('timeZone').includes(zone) || zone === 'UTC', 'an IANA time zone')
      .default('UTC'),
  })
  .strict();
export type CreateCareTeamRequest = z.infer<typeof createCareTeamRequestSchema>;
export type CreateUserRequest = z.infer<typeof createUserRequestSchema>;
export type AddCareTeamMemberRequest = z.infer<typeof addCareTeamMemberRequestSchema>;
export type CreatePatientRequest = z.infer<typeof createPatientRequestSchema>;

/** The dashboard's query: how many weeks back (default 12) and optionally one care team of the caller's. */
export const followUpDashboardQuerySchema = z.object({
  weeks: z.coerce.number().int().min(1).max(52).default(12),
  careTeamId: z.uuid().optional(),
});
export type FollowUpDashboardQuery = z.output<typeof followUpDashboardQuerySchema>;
