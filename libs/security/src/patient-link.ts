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

const ACTIONS = ['confirm', 'reschedule'] as const;
const PAYLOAD_BYTES = 1 + 16 + 8 + 4;
/** 128 bits of HMAC-SHA256: ample against forgery, and the token stays short enough for an SMS and a URL path segment. */
const MAC_BYTES = 16;

const mac = (secret: string, payload: Buffer) => createHmac('sha256', secret).update('rpm-patient-link.').update(payload).digest().subarray(0, MAC_BYTES);

/** `<payload>.<HMAC>` in base64url: action, patient, due date and expiry, vouched for by the secret (PATIENT_LINK_SECRET); nothing stored. */
export function signPatientLink(secret: string, claims: PatientLinkClaims): string {
  const payload = Buffer.alloc(PAYLOAD_BYTES);
  payload.writeUInt8(ACTIONS.indexOf(claims.action), 0);
  Buffer.from(claims.patientId.replaceAll('-', ''), 'hex').copy(payload, 1);
  payload.writeBigInt64BE(BigInt(new Date(claims.dueAt).getTime()), 17);
  payload.writeUInt32BE(claims.expiresAt, 25);
  return `${payload.toString('base64url')}.${mac(secret, payload).toString('base64url')}`;
}

/** The claims of a genuine, unexpired token, else null (tampered, malformed, expired or for another action). */
export function verifyPatientLink(secret: string, token: string, action: PatientLinkClaims['action'], now: Date): PatientLinkClaims | null {
  const [encoded, signature, extra] = token.split('.');
  if (!encoded || !signature || extra !== undefined || token.length > 200) return null;
  const payload = Buffer.from(encoded, 'base64url');
  const given = Buffer.from(signature, 'base64url');
  if (payload.length !== PAYLOAD_BYTES || given.length !== MAC_BYTES || payload.toString('base64url') !== encoded) return null;
  if (!timingSafeEqual(mac(secret, payload), given)) return null;
  if (ACTIONS[payload.readUInt8(0)] !== action) return null;
  const expiresAt = payload.readUInt32BE(25);
  if (now.getTime() / 1000 > expiresAt) return null;
  const hex = payload.subarray(1, 17).toString('hex');
  const patientId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { action, patientId, dueAt: new Date(Number(payload.readBigInt64BE(17))).toISOString(), expiresAt };
}
