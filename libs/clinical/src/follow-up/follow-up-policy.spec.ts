import { followUpStatus, initialPlan, remindersDue, reviewPlan, riskTier, type Assessment, type PlanState } from './follow-up-policy';

const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000);
const stable: Assessment = { urgentAlerts: 0, warningAlerts: 0, daysWithData: 28, timeInRangePercent: 78, timeBelow54Percent: 0.4 };

describe('risk tier from control, alert load and adherence (Battelino 2019; ACC/AHA; CPT 99454)', () => {
  it.each([
    ['at target', stable, 'low'],
    ['an urgent alert', { ...stable, urgentAlerts: 1 }, 'high'],
    ['time below 54 over 1%', { ...stable, timeBelow54Percent: 1.5 }, 'high'],
    ['TIR 49%', { ...stable, timeInRangePercent: 49 }, 'high'],
    ['TIR 69%', { ...stable, timeInRangePercent: 69 }, 'medium'],
    ['TIR 70%', { ...stable, timeInRangePercent: 70 }, 'low'],
    ['home BP 150/90', { ...stable, homeBp: { systolic: 150, diastolic: 90 } }, 'high'],
    ['home BP 135/80', { ...stable, homeBp: { systolic: 135, diastolic: 80 } }, 'medium'],
    ['home BP 134/84', { ...stable, homeBp: { systolic: 134, diastolic: 84 } }, 'low'],
    ['3 warnings', { ...stable, warningAlerts: 3 }, 'medium'],
    ['readings on 15 of 30 days', { ...stable, daysWithData: 15 }, 'medium'],
    ['readings on 16 of 30 days', { ...stable, daysWithData: 16 }, 'low'],
  ] as const)('%s: %s', (_name, assessment, tier) => {
    expect(riskTier(assessment).tier).toBe(tier);
  });
});

describe('risk tier on exact values, rounded only in the reasons', () => {
  it('judges TIR 69.96 % below target and a 134.96 mmHg mean at target, and shows them to one decimal', () => {
    expect(riskTier({ ...stable, timeInRangePercent: 69.96 })).toEqual({ tier: 'medium', reasons: ['time in range 70% (target > 70%)'] });
    expect(riskTier({ ...stable, homeBp: { systolic: 134.96, diastolic: 80 } }).tier).toBe('low');
    expect(riskTier({ ...stable, homeBp: { systolic: 141.333333, diastolic: 80 } }).reasons).toEqual(['home BP mean 141.3/80 mmHg (target < 135/85)']);
  });
});

describe('diabetes: weekly while unstable, monthly and then quarterly once stable', () => {
  it('steps up at once on an urgent alert, and brings the next contact forward', () => {
    const plan: PlanState = { ...initialPlan('diabetes', day(0)), tier: 'low', intervalDays: 90, nextDueAt: day(80) };
    const change = reviewPlan(plan, riskTier({ ...stable, urgentAlerts: 1 }), day(10));
    expect(change).toEqual(expect.objectContaining({ kind: 'step_up', next: expect.objectContaining({ tier: 'high', intervalDays: 7, nextDueAt: day(17) }) }));
    expect(change.reason).toBe('step up to every 7 days: 1 urgent alert(s) in 30 days');
  });

  it('steps down only after two consecutive stable reviews', () => {
    let plan: PlanState = { ...initialPlan('diabetes', day(0)), tier: 'high', intervalDays: 7 };
    const kinds: string[] = [];
    for (let review = 1; review <= 3; review++) {
      const change = reviewPlan(plan, riskTier(stable), day(review * 7));
      kinds.push(`${change.kind}:${change.next.intervalDays}`);
      plan = change.next;
    }
    expect(kinds).toEqual(['hold:7', 'step_down:90', 'hold:90']);
  });

  it('a worse review in between starts the count again', () => {
    let plan: PlanState = { ...initialPlan('diabetes', day(0)), tier: 'medium', intervalDays: 30 };
    plan = reviewPlan(plan, riskTier(stable), day(30)).next;
    plan = reviewPlan(plan, riskTier({ ...stable, timeInRangePercent: 60 }), day(60)).next;
    expect(reviewPlan(plan, riskTier(stable), day(90)).kind).toBe('hold');
  });
});

describe('post-surgery step-down: 1 week, 1 month, 3, 6, 12 months', () => {
  it('walks the pathway over simulated months while the patient stays stable', () => {
    let plan = initialPlan('post_surgery', day(0));
    const contacts = [plan.nextDueAt];
    for (let review = 0; review < 6; review++) {
      plan = reviewPlan(plan, riskTier(stable), plan.nextDueAt).next;
      contacts.push(plan.nextDueAt);
    }
    const offsets = contacts.map((at) => Math.round((at.getTime() - day(0).getTime()) / 86_400_000));
    expect(offsets).toEqual([7, 37, 127, 307, 672, 1037, 1402]);
  });

  it('an urgent alert after surgery brings the contact back to a week', () => {
    const plan = { ...initialPlan('post_surgery', day(0)), step: 2, intervalDays: 90, tier: 'low' as const, nextDueAt: day(127) };
    expect(reviewPlan(plan, riskTier({ ...stable, urgentAlerts: 1 }), day(50)).next).toEqual(
      expect.objectContaining({ intervalDays: 7, nextDueAt: day(57), tier: 'high' }),
    );
  });
});

describe('reminders 7 days, 3 days and on the day; overdue and lost to follow-up (Simple.org)', () => {
  it.each([
    [-8, [], []],
    [-7, [], ['due_in_7_days']],
    [-3, ['due_in_7_days'], ['due_in_3_days']],
    [0, ['due_in_7_days', 'due_in_3_days'], ['due_today']],
    [0, ['due_in_7_days', 'due_in_3_days', 'due_today'], []],
    [-2, [], ['due_in_7_days', 'due_in_3_days']], // a job that was down catches up, once
  ] as const)('%s days from due, after %j: %j', (offset, sent, expected) => {
    expect(remindersDue(day(100), day(100 + offset), sent)).toEqual(expected);
  });

  it.each([
    [99, null, 'scheduled'],
    [101, null, 'overdue'],
    [190, day(95), 'missed'],
    [400, day(30), 'lost_to_follow_up'],
  ] as const)('on day %s (last visit %s): %s', (today, lastVisit, status) => {
    expect(followUpStatus(day(100), lastVisit, day(today), day(0))).toBe(status);
  });
});
