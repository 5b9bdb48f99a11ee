import { CONTACT_SATISFACTION, scoreAnswers } from '../questionnaires';
import { aggregateSatisfaction, responseRateByChannel, type PatientResponseFact, type ReminderFact, type SatisfactionFact } from './follow-up-dashboard';

const DAY = 86_400_000;
const now = new Date('2026-04-01T12:00:00Z');
const ago = (days: number) => new Date(now.getTime() - days * DAY);
const from = ago(28);

describe('the satisfaction survey after a contact (written for this platform)', () => {
  it.each([
    [{ 'satisfaction-overall': 1, 'satisfaction-helped': 0, 'satisfaction-recommend': 0 }, 1, 'low satisfaction'],
    [{ 'satisfaction-overall': 4, 'satisfaction-helped': 0, 'satisfaction-recommend': 0 }, 4, 'low satisfaction'],
    [{ 'satisfaction-overall': 3, 'satisfaction-helped': 1, 'satisfaction-recommend': 1 }, 5, 'moderate satisfaction'],
    [{ 'satisfaction-overall': 5, 'satisfaction-helped': 1, 'satisfaction-recommend': 1 }, 7, 'moderate satisfaction'],
    [{ 'satisfaction-overall': 4, 'satisfaction-helped': 2, 'satisfaction-recommend': 2 }, 8, 'high satisfaction'],
    [{ 'satisfaction-overall': 5, 'satisfaction-helped': 2, 'satisfaction-recommend': 2 }, 9, 'high satisfaction'],
  ])('%j scores %i, %s', (answers, total, band) => {
    expect(scoreAnswers(CONTACT_SATISFACTION, answers)).toEqual({ total, maxScore: 9, band });
  });
});

describe('aggregateSatisfaction: count, mean of item 1, per clinician, per care team, week by week', () => {
  const answer = (daysAgo: number, overall: number, clinician: 'a' | 'b', team: 'north' | 'south', helped = 2, recommend = 2): SatisfactionFact => ({
    patientId: `00000000-0000-4000-8000-00000000000${Math.round(daysAgo) % 10}`,
    careTeamId: team,
    careTeamName: team === 'north' ? 'North' : 'South',
    clinicianId: clinician,
    clinicianName: clinician === 'a' ? 'Dr A' : 'Nurse B',
    answeredAt: ago(daysAgo),
    overall,
    helped,
    recommend,
  });
  const facts = [answer(1, 5, 'a', 'north'), answer(2, 4, 'a', 'north', 1, 2), answer(9, 2, 'b', 'south', 0, 0), answer(30, 1, 'b', 'south')];

  it('counts the responses of the period only and averages item 1 to two decimals', () => {
    const figures = aggregateSatisfaction(facts, from, now, 4);
    expect(figures).toMatchObject({ responses: 3, meanSatisfaction: 3.67, helpedPercent: 33.3, recommendPercent: 66.7 });
    expect(figures.byClinician.map((group) => [group.name, group.responses, group.meanSatisfaction])).toEqual([
      ['Dr A', 2, 4.5],
      ['Nurse B', 1, 2],
    ]);
    expect(figures.byCareTeam.map((group) => [group.careTeamId, group.responses, group.meanSatisfaction])).toEqual([
      ['north', 2, 4.5],
      ['south', 1, 2],
    ]);
    expect(figures.trend.map((week) => [week.responses, week.meanSatisfaction])).toEqual([
      [0, null],
      [0, null],
      [1, 2],
      [2, 4.5],
    ]);
  });

  it('has no mean without responses', () => {
    expect(aggregateSatisfaction([], from, now, 2)).toMatchObject({ responses: 0, meanSatisfaction: null, helpedPercent: null, byClinician: [] });
  });
});

describe('responseRateByChannel: reminders answered within 7 days, credited to the latest reminder before the answer', () => {
  const due = ago(-3);
  const reminder = (patientId: string, channel: string, daysAgo: number, dueAt = due): ReminderFact => ({ patientId, channel, sentAt: ago(daysAgo), dueAt });
  const response = (patientId: string, daysAgo: number, kind: PatientResponseFact['kind'], dueAt: Date | null = due): PatientResponseFact => ({
    patientId,
    at: ago(daysAgo),
    kind,
    dueAt: kind === 'questionnaire' ? null : dueAt,
  });
  const cases: { name: string; reminders: ReminderFact[]; responses: PatientResponseFact[]; expected: [string, number, number, number, number | null][] }[] = [
    {
      name: 'a confirm through the link 1 day after an sms',
      reminders: [reminder('p1', 'sms', 10)],
      responses: [response('p1', 9, 'confirm')],
      expected: [['sms', 1, 1, 0, 100]],
    },
    {
      name: 'an answer 7 days after counts; 7 days and 1 hour does not',
      reminders: [reminder('p1', 'sms', 20), reminder('p2', 'sms', 20)],
      responses: [response('p1', 13, 'reschedule'), response('p2', 13 - 1 / 24, 'reschedule')],
      expected: [['sms', 2, 1, 0, 50]],
    },
    {
      name: 'three reminders, one answer: credited to the latest before it (the voice call), not to all three',
      reminders: [reminder('p1', 'email', 14), reminder('p1', 'sms', 10), reminder('p1', 'voice', 7)],
      responses: [response('p1', 6, 'confirm')],
      expected: [
        ['email', 1, 0, 0, 0],
        ['sms', 1, 0, 0, 0],
        ['voice', 1, 1, 0, 100],
      ],
    },
    {
      name: "a link answer about another contact is not this reminder's response; a questionnaire answered is any reminder's",
      reminders: [reminder('p1', 'webhook', 12), reminder('p2', 'webhook', 12)],
      responses: [response('p1', 11, 'confirm', ago(40)), response('p2', 11, 'questionnaire')],
      expected: [['webhook', 2, 1, 0, 50]],
    },
    {
      name: 'a reminder sent 3 days ago without an answer is awaiting, not a non-response; before the period it is not counted',
      reminders: [reminder('p1', 'email', 3), reminder('p2', 'email', 10), reminder('p3', 'email', 40)],
      responses: [response('p3', 39, 'confirm')],
      expected: [['email', 2, 0, 1, 0]],
    },
    {
      name: "another patient's answer does not count",
      reminders: [reminder('p1', 'sms', 10)],
      responses: [response('p2', 9, 'confirm')],
      expected: [['sms', 1, 0, 0, 0]],
    },
    { name: 'no reminders, no channels', reminders: [], responses: [response('p1', 1, 'questionnaire')], expected: [] },
  ];
  it.each(cases)('$name', ({ reminders, responses, expected }) => {
    expect(responseRateByChannel(reminders, responses, from, now).map((row) => [row.channel, row.sent, row.responded, row.awaiting, row.percent])).toEqual(
      expected,
    );
  });
});
