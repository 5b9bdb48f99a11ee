import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Device credentials and session tokens are random 256-bit secrets, so a fast SHA-256 digest is enough
 * to store them: there is no low-entropy password to brute-force, and a connection storm stays cheap.
 */
export const newSecret = (): string => randomBytes(32).toString('base64url');

export const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

export function secretMatches(secret: string, storedHash: string): boolean {
  const actual = Buffer.from(hashSecret(secret), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
