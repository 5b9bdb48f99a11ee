import { z } from 'zod';
import { apiDateTime } from './common.schema';

export const careTeamSchema = z.object({ id: z.uuid(), name: z.string() });
/** The account as created: never its password or hash. */
export const createdUserSchema = z.object({ id: z.uuid(), email: z.string(), displayName: z.string(), role: z.string() });
export const userStatusSchema = z.object({ id: z.uuid(), disabledAt: apiDateTime().nullable() });
export const careTeamMembershipSchema = z.object({ careTeamId: z.uuid(), userId: z.uuid() });
export const createdPatientSchema = z.object({ id: z.uuid(), displayName: z.string(), programme: z.string(), careTeamId: z.uuid(), timeZone: z.string() });
