import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a patient's link may do: each token is for one action on one due contact, and expires. */
export interface PatientLinkClaims {
  action: 'confirm' | 'reschedule';
  patientId: string;
  /** The due contact the reminder was about (ISO). */
  dueAt: string;
  /** Seconds since the epoch after which the link is refused. */
  expiresAt: number;
}

const mac = (secret: string, payload: string) => createHmac('sha256', secret).update(`rpm-patient-link.${payload}`).digest('base64url');

/** `<payload>.<HMAC-SHA256>`, both base64url: no state is stored, the secret (PATIENT_LINK_SECRET) vouches for it. */
export function signPatientLink(secret: string, claims: PatientLinkClaims): string {
  const payload = Buffer.from(JSON.stringify([claims.action, claims.patientId, claims.dueAt, claims.expiresAt])).toString('base64url');
  return `${payload}.${mac(secret, payload)}`;
}

/** The claims of a genuine, unexpired token, else null (tampered, malformed, expired or for another action). */
export function verifyPatientLink(secret: string, token: string, action: PatientLinkClaims['action'], now: Date): PatientLinkClaims | null {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined || token.length > 1024) return null;
  const expected = Buffer.from(mac(secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) return null;
  const [claimedAction, patientId, dueAt, expiresAt] = parsed as [unknown, unknown, unknown, unknown];
  if (claimedAction !== action || typeof patientId !== 'string' || typeof dueAt !== 'string' || typeof expiresAt !== 'number') return null;
  if (now.getTime() / 1000 > expiresAt) return null;
  return { action, patientId, dueAt, expiresAt };
}
