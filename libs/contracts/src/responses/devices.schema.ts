import { z } from 'zod';
import { apiDateTime } from './common.schema';

/** A device's credential: the secret is shown once, only its hash is stored. */
export const issuedCredentialSchema = z.object({
  deviceId: z.string(),
  secret: z.string().describe('Shown once: only its hash is stored.'),
  mqtt: z.object({ clientId: z.string(), username: z.string(), readingsTopic: z.string(), repliesTopic: z.string() }),
});
export const deviceSchema = z.object({ deviceId: z.string(), kind: z.string(), createdAt: apiDateTime(), revokedAt: apiDateTime().nullable() });
export const devicesResponseSchema = z.object({ devices: z.array(deviceSchema) });
export const pairingCodeResponseSchema = z.object({
  code: z.string().describe('One-time, like ABCD-2345: print it under the QR code for typing.'),
  expiresAt: apiDateTime(),
  qr: z.object({
    payload: z.string().describe('The text the QR code encodes: rpm-pair:v1?code=...&api=... (docs/device-protocol.md, "Pairing").'),
    svg: z.string().describe('The QR code as an SVG document.'),
    pngDataUrl: z.string().describe('The same QR code as a PNG data: URL.'),
  }),
});

export type IssuedCredentialResponse = z.output<typeof issuedCredentialSchema>;
export type Device = z.output<typeof deviceSchema>;
export type PairingCodeResponse = z.output<typeof pairingCodeResponseSchema>;
