import { z } from 'zod';
import { metricSchema } from './device-payloads.schema';

export const loginRequestSchema = z
  .object({
    email: z.email().max(254),
    password: z.string().min(1).max(1024),
  })
  .strict();

export const readingsQuerySchema = z.object({
  metric: metricSchema.optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('Default: 7 days before `to`.'),
  to: z.iso.datetime({ offset: true }).optional().describe('Default: now.'),
  limit: z.coerce.number().int().min(1).max(10_000).default(1_000),
});

export const alertsQuerySchema = z.object({
  status: z.enum(['open', 'acknowledged', 'resolved']).optional(),
});

export type LoginRequest = z.infer<typeof loginRequestSchema>;
export type ReadingsQuery = z.infer<typeof readingsQuerySchema>;
