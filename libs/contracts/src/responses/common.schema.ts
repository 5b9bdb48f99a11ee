import { z } from 'zod';

/**
 * A time the API answers with: a Date from the database or an ISO 8601 string, sent as the ISO string.
 * The OpenAPI document (output side) shows a `date-time` string, which is what a client receives.
 */
export const apiDateTime = () =>
  z
    .union([z.date(), z.iso.datetime({ offset: true })])
    .transform((value) => (typeof value === 'string' ? value : value.toISOString()))
    .pipe(z.iso.datetime({ offset: true }));

/** Every paged list answers with its page beside the items. */
export const pageSchema = z.object({
  limit: z.number().int(),
  offset: z.number().int(),
  total: z.number().int(),
});
export type Page = z.output<typeof pageSchema>;

/** The one error body of the API: every 4xx and 5xx answers with it. */
export const apiErrorSchema = z.object({
  statusCode: z.number().int(),
  error: z.string(),
  message: z.union([z.string(), z.array(z.string())]),
});
export type ApiError = z.output<typeof apiErrorSchema>;
