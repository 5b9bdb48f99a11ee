import { z } from 'zod';

/**
 * What the QR code on a discharge sheet carries: a URI a patient's hub or app scans to pair itself.
 *
 *   rpm-pair:v1?code=ABCD-2345&api=https%3A%2F%2Frpm.example.org
 *
 * `code` is the one-time pairing code (the same one printed under the QR code for typing), `api` the platform's
 * HTTPS address where the code is claimed (`POST {api}/pairing/claim {code}`). The QR code carries no patient
 * data and no credential: the code alone is worth one device credential, once, within its expiry.
 */
export const PAIRING_QR_SCHEME = 'rpm-pair';
export const PAIRING_QR_VERSION = 'v1';

export const pairingQrPayloadSchema = z
  .object({
    code: z
      .string()
      .regex(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/)
      .describe('The one-time pairing code, as printed beside the QR code; claim it with POST {api}/pairing/claim.'),
    api: z.url({ protocol: /^https?$/ }).describe("The platform's address the code is claimed at, without a trailing slash (https in production)."),
  })
  .strict();

export type PairingQrPayload = z.infer<typeof pairingQrPayloadSchema>;

/** The URI the QR code encodes: parameters in a fixed order, so the same code and address always give the same QR code. */
export function pairingQrUri(payload: PairingQrPayload): string {
  const valid = pairingQrPayloadSchema.parse(payload);
  const query = new URLSearchParams([
    ['code', valid.code],
    ['api', valid.api],
  ]);
  return `${PAIRING_QR_SCHEME}:${PAIRING_QR_VERSION}?${query.toString()}`;
}

/** What a hub or app reads back from a scanned QR code; null for anything else (another scheme or version, a bad field). */
export function parsePairingQrUri(text: string): PairingQrPayload | null {
  const prefix = `${PAIRING_QR_SCHEME}:${PAIRING_QR_VERSION}?`;
  if (!text.startsWith(prefix)) return null;
  const query = new URLSearchParams(text.slice(prefix.length));
  const parsed = pairingQrPayloadSchema.safeParse({ code: query.get('code'), api: query.get('api') });
  return parsed.success ? parsed.data : null;
}
