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

/** Index = the payload's first byte; 'view' (the patient's page) is appended so older tokens keep their meaning. */
const ACTIONS = ['confirm', 'reschedule', 'view'] as const;
const PAYLOAD_BYTES = 1 + 16 + 8 + 4;
/** 128 bits of HMAC-SHA256: ample against forgery, and the token stays short enough for an SMS and a URL path segment. */
const MAC_BYTES = 16;

const mac = (secret: string, payload: Buffer) => createHmac('sha256', secret).update('rpm-patient-link.').update(payload).digest().subarray(0, MAC_BYTES);

function encode(secret: string, action: (typeof ACTIONS)[number], patientId: string, dueAtMs: number, expiresAt: number): string {
  const payload = Buffer.alloc(PAYLOAD_BYTES);
  payload.writeUInt8(ACTIONS.indexOf(action), 0);
  Buffer.from(patientId.replaceAll('-', ''), 'hex').copy(payload, 1);
  payload.writeBigInt64BE(BigInt(dueAtMs), 17);
  payload.writeUInt32BE(expiresAt, 25);
  return `${payload.toString('base64url')}.${mac(secret, payload).toString('base64url')}`;
}

function decode(secret: string, token: string, action: (typeof ACTIONS)[number], now: Date): { patientId: string; dueAtMs: number; expiresAt: number } | null {
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
  return { patientId, dueAtMs: Number(payload.readBigInt64BE(17)), expiresAt };
}

/** `<payload>.<HMAC>` in base64url: action, patient, due date and expiry, vouched for by the secret (PATIENT_LINK_SECRET); nothing stored. */
export function signPatientLink(secret: string, claims: PatientLinkClaims): string {
  return encode(secret, claims.action, claims.patientId, new Date(claims.dueAt).getTime(), claims.expiresAt);
}

/** The claims of a genuine, unexpired token, else null (tampered, malformed, expired or for another action). */
export function verifyPatientLink(secret: string, token: string, action: PatientLinkClaims['action'], now: Date): PatientLinkClaims | null {
  const claims = decode(secret, token, action, now);
  return claims && { action, patientId: claims.patientId, dueAt: new Date(claims.dueAtMs).toISOString(), expiresAt: claims.expiresAt };
}

/**
 * The patient's own page (GET /p/:token): a token of its own purpose, 'view', that names only the patient and
 * expires later than the one-action links (it is sent with each reminder). It never passes for a confirm or
 * reschedule token, nor they for it: the page gets those for the due contact from the API.
 */
export interface PatientPageClaims {
  patientId: string;
  /** Seconds since the epoch after which the link is refused. */
  expiresAt: number;
}

export function signPatientPageLink(secret: string, claims: PatientPageClaims): string {
  return encode(secret, 'view', claims.patientId, 0, claims.expiresAt);
}

/** The claims of a genuine, unexpired page token, else null. */
export function verifyPatientPageLink(secret: string, token: string, now: Date): PatientPageClaims | null {
  const claims = decode(secret, token, 'view', now);
  return claims && { patientId: claims.patientId, expiresAt: claims.expiresAt };
}
