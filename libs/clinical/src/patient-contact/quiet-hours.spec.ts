import { patientReminderMessage } from './patient-messages';
import { sendableAt } from './quiet-hours';

describe('quiet hours, local to the patient', () => {
  it.each([
    ['no quiet hours', '2026-03-10T23:30:00Z', 'UTC', null, '2026-03-10T23:30:00.000Z'],
    ['outside an overnight window', '2026-03-10T12:00:00Z', 'UTC', { start: '21:00', end: '08:00' }, '2026-03-10T12:00:00.000Z'],
    ['inside before midnight: deferred to the end', '2026-03-10T22:00:00Z', 'UTC', { start: '21:00', end: '08:00' }, '2026-03-11T08:00:00.000Z'],
    ['inside after midnight', '2026-03-11T03:30:00Z', 'UTC', { start: '21:00', end: '08:00' }, '2026-03-11T08:00:00.000Z'],
    ['in Berlin (UTC+1 in March): 06:30 local', '2026-03-11T05:30:00Z', 'Europe/Berlin', { start: '21:00', end: '08:00' }, '2026-03-11T07:00:00.000Z'],
    ['a daytime window', '2026-03-10T13:15:00Z', 'UTC', { start: '13:00', end: '14:00' }, '2026-03-10T14:00:00.000Z'],
    ['at the end minute itself', '2026-03-10T08:00:00Z', 'UTC', { start: '21:00', end: '08:00' }, '2026-03-10T08:00:00.000Z'],
  ])('%s', (_, now, timeZone, quiet, expected) => {
    expect(sendableAt(new Date(now), timeZone, quiet).toISOString()).toBe(expected);
  });
});

describe('reminder messages per language', () => {
  const links = { confirm: 'https://x/p/a/confirm', reschedule: 'https://x/p/b/reschedule' };
  it.each([
    ['en', 'due in 3 days', 'Confirm: https://x/p/a/confirm'],
    ['de', 'in 3 Tagen fällig', 'Bestätigen: https://x/p/a/confirm'],
    ['fr', 'prévu dans 3 jours', 'Confirmer : https://x/p/a/confirm'],
    ['xx', 'due in 3 days', 'Ask to reschedule: https://x/p/b/reschedule'],
  ])('%s', (language, phrase, line) => {
    const message = patientReminderMessage(language, 'due_in_3_days', new Date('2026-03-10T09:00:00Z'), 'UTC', links);
    expect(message.text).toContain(phrase);
    expect(message.text).toContain(line);
    expect(message.spoken).not.toContain('https');
  });

  it("adds the patient's page link when given, in their language", () => {
    const message = patientReminderMessage('de', 'due_today', new Date('2026-03-10T09:00:00Z'), 'UTC', { ...links, page: 'https://x/p/c' });
    expect(message.text.split('\n').at(-1)).toBe('Ihre Messwerte und Fragen: https://x/p/c');
    expect(patientReminderMessage('en', 'due_today', new Date('2026-03-10T09:00:00Z'), 'UTC', links).text).not.toContain('Your readings');
  });
});
