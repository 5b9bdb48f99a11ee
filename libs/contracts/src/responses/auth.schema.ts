import { z } from 'zod';
import { apiDateTime } from './common.schema';

export const loginResponseSchema = z.object({ token: z.string(), expiresAt: apiDateTime() });
export const profileResponseSchema = z.object({ id: z.uuid(), email: z.string(), displayName: z.string(), role: z.string() });
export const healthResponseSchema = z.object({ status: z.literal('ok') });

export type LoginResponse = z.output<typeof loginResponseSchema>;
export type ProfileResponse = z.output<typeof profileResponseSchema>;
