import { signPatientLink, signPatientPageLink, verifyPatientLink, verifyPatientPageLink } from './patient-link';

const secret = 'a-secret-of-at-least-thirty-two-characters';
const claims = { action: 'confirm' as const, patientId: '5f0c5a4e-0000-4000-8000-000000000001', dueAt: '2026-03-10T09:00:00.000Z', expiresAt: 1_800_000_000 };
const before = new Date(1_700_000_000_000);

describe('patient links', () => {
  const token = signPatientLink(secret, claims);
  it.each([
    ['a genuine token before it expires', token, 'confirm', before, claims],
    ['after it expires', token, 'confirm', new Date(1_800_000_001_000), null],
    ['for another action', token, 'reschedule', before, null],
    [
      'with a changed payload',
      `${Buffer.from(JSON.stringify(['confirm', claims.patientId, claims.dueAt, 1_900_000_000])).toString('base64url')}.${token.split('.')[1]}`,
      'confirm',
      before,
      null,
    ],
    ['with a changed signature', `${token.slice(0, -3)}${token.endsWith('AAA') ? 'BBB' : 'AAA'}`, 'confirm', before, null],
    ['short enough for a URL path segment', token.length <= 100 ? token : 'too long', 'confirm', before, claims],
    ['signed with another secret', signPatientLink('another-secret-of-thirty-two-characters!', claims), 'confirm', before, null],
    ['malformed', 'not-a-token', 'confirm', before, null],
  ])('%s', (_, given, action, now, expected) => {
    expect(verifyPatientLink(secret, given as string, action as 'confirm', now as Date)).toEqual(expected);
  });
});

describe('patient page links', () => {
  const page = { patientId: claims.patientId, expiresAt: 1_800_000_000 };
  const token = signPatientPageLink(secret, page);
  it.each([
    ['a genuine page token before it expires', () => verifyPatientPageLink(secret, token, before), page],
    ['after it expires', () => verifyPatientPageLink(secret, token, new Date(1_800_000_001_000)), null],
    ['never as a confirm link', () => verifyPatientLink(secret, token, 'confirm', before), null],
    ['never as a reschedule link', () => verifyPatientLink(secret, token, 'reschedule', before), null],
    ['a confirm link is not a page token', () => verifyPatientPageLink(secret, signPatientLink(secret, claims), before), null],
    ['signed with another secret', () => verifyPatientPageLink(secret, signPatientPageLink('another-secret-of-thirty-two-characters!', page), before), null],
  ])('%s', (_, verify, expected) => {
    expect(verify()).toEqual(expected);
  });
});
