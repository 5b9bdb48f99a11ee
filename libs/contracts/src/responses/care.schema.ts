import { z } from 'zod';
import { apiDateTime, pageSchema } from './common.schema';

export const visitSchema = z.object({
  id: z.uuid(),
  occurredAt: apiDateTime(),
  type: z.string(),
  clinicianId: z.uuid(),
  notes: z.string().nullable(),
  outcome: z.string().nullable(),
  /** completed, or appointment (dated in the future: it completes nothing yet). */
  status: z.string(),
  purpose: z.string().nullable(),
  createdAt: apiDateTime(),
});
export const visitsPageResponseSchema = z.object({ visits: z.array(visitSchema), page: pageSchema });

export const FOLLOW_UP_STATUSES = ['scheduled', 'overdue', 'missed', 'lost_to_follow_up'] as const;
export const followUpResponseSchema = z.object({
  plan: z.object({
    pathway: z.string(),
    tier: z.string(),
    intervalDays: z.number().int(),
    nextDueAt: apiDateTime(),
    enrolledAt: apiDateTime(),
    lastReviewedAt: apiDateTime().nullable(),
    status: z.enum(FOLLOW_UP_STATUSES),
    pathwayVersion: z.number().int(),
    anchorAt: apiDateTime(),
    lastContactAt: apiDateTime().nullable(),
    reviewDueAt: apiDateTime().nullable(),
    statusSince: apiDateTime().nullable(),
    assignedTo: z.uuid().nullable(),
    /** The latest daily judgement: stable, unstable or undetermined, with its reasons. */
    assessment: z
      .object({
        state: z.string(),
        reasons: z.array(z.string()),
        interventions: z.array(z.string()),
        referrals: z.array(z.object({ to: z.string(), action: z.string() })),
        at: z.string(),
      })
      .nullable(),
  }),
  changes: z.array(
    z.object({
      id: z.number().int(),
      kind: z.string(),
      fromIntervalDays: z.number().int(),
      toIntervalDays: z.number().int(),
      nextDueAt: apiDateTime(),
      reason: z.string(),
      status: z.string(),
      decidedBy: z.uuid().nullable(),
      decidedAt: apiDateTime().nullable(),
      createdAt: apiDateTime(),
    }),
  ),
});

/** A rule as the API shows it: its identity is fixed, its parameters depend on its kind (docs/alert-rules.md). */
export const ruleDefinitionViewSchema = z.looseObject({ id: z.string(), kind: z.string(), version: z.number().int(), metric: z.string() });
export const patientRulesResponseSchema = z.object({
  rules: z.array(z.object({ default: ruleDefinitionViewSchema, effective: ruleDefinitionViewSchema.nullable(), overridden: z.boolean() })),
});
export const ruleOverrideResponseSchema = z.object({
  ruleId: z.string(),
  version: z.number().int(),
  disabled: z.boolean(),
  effective: ruleDefinitionViewSchema.nullable(),
});

export type Visit = z.output<typeof visitSchema>;
export type VisitsPageResponse = z.output<typeof visitsPageResponseSchema>;
export type FollowUpResponse = z.output<typeof followUpResponseSchema>;
export type PatientRulesResponse = z.output<typeof patientRulesResponseSchema>;
