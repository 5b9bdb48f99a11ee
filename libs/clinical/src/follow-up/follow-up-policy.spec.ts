import { DIABETES_V1, HYPERTENSION_V1, POST_SURGERY_V1, pathwayTemplate } from '../pathways';
import {
  adherencePercent,
  applyChange,
  clinicianSet,
  followUpStatus,
  initialPlan,
  judge,
  patientLinkDueOpen,
  proposeChange,
  recordContact,
  reminderDue,
  type Assessment,
  type PlanState,
} from './follow-up-policy';

const DAY = 86_400_000;
const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * DAY);
const offset = (at: Date) => Math.round((at.getTime() - day(0).getTime()) / DAY);
const stableCgm: Assessment = {
  urgentAlerts: 0,
  warningAlerts: 0,
  daysWithData: 28,
  adherencePercent: 92,
  cvPercent: 30,
  timeInRangePercent: 78,
  timeBelow70Percent: 2,
  timeBelow54Percent: 0.4,
};
const controlledBp: Assessment = { urgentAlerts: 0, warningAlerts: 0, daysWithData: 28, adherencePercent: 90, homeBp: { systolic: 128, diastolic: 78 } };

describe('diabetes: glucose swinging (CV > 36%, TIR < 70% or TBR > 4%, Battelino 2019) means weekly', () => {
  it.each([
    ['at target', stableCgm, 'stable'],
    ['CV 36.1%', { ...stableCgm, cvPercent: 36.1 }, 'unstable'],
    ['CV 36%', { ...stableCgm, cvPercent: 36 }, 'stable'],
    ['TIR 69.96%', { ...stableCgm, timeInRangePercent: 69.96 }, 'unstable'],
    ['TIR 70%', { ...stableCgm, timeInRangePercent: 70 }, 'stable'],
    ['TBR 4.1%', { ...stableCgm, timeBelow70Percent: 4.1 }, 'unstable'],
    ['a retrospective level 2 hypo counted as an urgent alert', { ...stableCgm, urgentAlerts: 1 }, 'unstable'],
    ['CGM worn every day: 29 days of 30 is not "too few days"', { ...stableCgm, daysWithData: 12, adherencePercent: 96 }, 'stable'],
    ['readings at 50% of the CGM cadence', { ...stableCgm, adherencePercent: 50 }, 'undetermined'],
    ['no CGM summary at all', { urgentAlerts: 0, warningAlerts: 0, daysWithData: 0 }, 'undetermined'],
  ] as const)('%s: %s', (_name, assessment, state) => {
    expect(judge(DIABETES_V1, assessment).state).toBe(state);
  });

  it('Daniel (TIR 68.7%, CV 33%, a recent level 2 hypo) is proposed weekly, with both reasons', () => {
    const plan = initialPlan(DIABETES_V1, day(0));
    expect(plan).toEqual(expect.objectContaining({ intervalDays: 30, tier: 'low', reviewDueAt: day(90) }));
    const judgement = judge(DIABETES_V1, { ...stableCgm, urgentAlerts: 1, timeInRangePercent: 68.7, cvPercent: 33 });
    const proposal = proposeChange(DIABETES_V1, plan, judgement, day(10));
    expect(proposal).toEqual(expect.objectContaining({ kind: 'step_up', toIntervalDays: 7, toTier: 'high' }));
    expect(proposal?.reason).toBe(
      'weekly while glucose swings (every 7 days): 1 urgent alerts in 30 days (live or retrospective); time in range 70-180 68.7% (target > 70%)',
    );
    expect(judgement.referrals.map((referral) => referral.to)).toEqual(['dietitian', 'doctor']);
  });

  it('weekly returns to monthly (not quarterly) after two stable contacts, once confirmed', () => {
    let plan: PlanState = applyChange(initialPlan(DIABETES_V1, day(0)), { kind: 'step_up', toLevel: 0, toTier: 'high', toIntervalDays: 7, reason: '' }, day(3));
    expect(offset(plan.nextDueAt)).toBe(10);
    const stable = judge(DIABETES_V1, stableCgm);
    const kinds: string[] = [];
    for (let contact = 0; contact < 3; contact++) {
      plan = recordContact(DIABETES_V1, plan, { at: plan.nextDueAt }, 'stable');
      const proposal = proposeChange(DIABETES_V1, plan, stable, plan.lastContactAt!);
      kinds.push(proposal ? `${proposal.kind}:${proposal.toIntervalDays}` : 'none');
      if (proposal) plan = applyChange(plan, proposal, plan.lastContactAt!);
    }
    expect(kinds).toEqual(['none', 'step_down:30', 'none']);
    expect(plan.intervalDays).toBe(30);
  });

  it('an unstable contact in between starts the count again', () => {
    let plan: PlanState = { ...initialPlan(DIABETES_V1, day(0)), level: 0, tier: 'high', intervalDays: 7 };
    plan = recordContact(DIABETES_V1, plan, { at: day(7) }, 'stable');
    plan = recordContact(DIABETES_V1, plan, { at: day(14) }, 'unstable');
    plan = recordContact(DIABETES_V1, plan, { at: day(21) }, 'stable');
    expect(proposeChange(DIABETES_V1, plan, judge(DIABETES_V1, stableCgm), day(21))).toBeNull();
  });

  it('the quarterly comprehensive review recurs on its own, moved only by a comprehensive contact', () => {
    let plan = initialPlan(DIABETES_V1, day(0));
    plan = recordContact(DIABETES_V1, plan, { at: day(30) }, 'stable');
    expect(plan.reviewDueAt).toEqual(day(90));
    plan = recordContact(DIABETES_V1, plan, { at: day(88), comprehensive: true }, 'stable');
    expect(plan.reviewDueAt).toEqual(day(178));
  });
});

describe('hypertension (HyperLink): every 2 weeks until controlled, monthly, then every 2 months', () => {
  it.each([
    ['home mean 155.9/95 (Thomas)', { ...controlledBp, homeBp: { systolic: 155.9, diastolic: 95 } }, 'unstable'],
    ['home mean 135/80', { ...controlledBp, homeBp: { systolic: 135, diastolic: 80 } }, 'unstable'],
    ['home mean 134.96/84.9', { ...controlledBp, homeBp: { systolic: 134.96, diastolic: 84.9 } }, 'stable'],
    ['no home mean', { ...controlledBp, homeBp: undefined }, 'undetermined'],
  ] as const)('%s: %s', (_name, assessment, state) => {
    expect(judge(HYPERTENSION_V1, assessment).state).toBe(state);
  });

  it('starts every 2 weeks, monthly after 3 controlled contacts (6 weeks), every 2 months after 2 more', () => {
    let plan = initialPlan(HYPERTENSION_V1, day(0));
    expect(plan.intervalDays).toBe(14);
    const intervals: number[] = [];
    for (let contact = 0; contact < 7; contact++) {
      plan = recordContact(HYPERTENSION_V1, plan, { at: plan.nextDueAt }, 'stable');
      const proposal = proposeChange(HYPERTENSION_V1, plan, judge(HYPERTENSION_V1, controlledBp), plan.lastContactAt!);
      if (proposal) plan = applyChange(plan, proposal, plan.lastContactAt!);
      intervals.push(plan.intervalDays);
    }
    expect(intervals).toEqual([14, 14, 30, 30, 60, 60, 60]);
  });

  it('an uncontrolled mean goes back to every 2 weeks at once', () => {
    const plan: PlanState = { ...initialPlan(HYPERTENSION_V1, day(0)), level: 2, tier: 'low', intervalDays: 60, nextDueAt: day(50) };
    const proposal = proposeChange(HYPERTENSION_V1, plan, judge(HYPERTENSION_V1, { ...controlledBp, homeBp: { systolic: 150, diastolic: 88 } }), day(20));
    expect(proposal).toEqual(expect.objectContaining({ kind: 'step_up', toIntervalDays: 14 }));
    expect(applyChange(plan, proposal!, day(20)).nextDueAt).toEqual(day(34));
  });
});

describe('post-surgery: contacts on days 7, 30, 90, 180, 365 after surgery, then yearly', () => {
  const surgery = day(0);

  it.each([
    ['on the day', 0],
    ['a day late each time', 1],
    ['two days early each time', -2],
  ] as const)('contacts %s keep the anchored dates', (_name, lateness) => {
    let plan = initialPlan(POST_SURGERY_V1, day(2), surgery);
    const due: number[] = [offset(plan.nextDueAt)];
    for (let contact = 0; contact < 6; contact++) {
      plan = recordContact(POST_SURGERY_V1, plan, { at: new Date(plan.nextDueAt.getTime() + lateness * DAY) }, 'undetermined');
      due.push(offset(plan.nextDueAt));
    }
    expect(due).toEqual([7, 30, 90, 180, 365, 730, 1095]);
  });

  it('with few uploads it still steps on: adherence does not hold an anchored pathway', () => {
    let plan = initialPlan(POST_SURGERY_V1, surgery, surgery);
    expect(
      proposeChange(POST_SURGERY_V1, plan, judge(POST_SURGERY_V1, { urgentAlerts: 0, warningAlerts: 0, daysWithData: 2, adherencePercent: 5 }), day(5)),
    ).toBeNull();
    plan = recordContact(POST_SURGERY_V1, plan, { at: day(7) }, 'undetermined');
    expect(offset(plan.nextDueAt)).toBe(30);
  });

  it('an urgent alert proposes an interim contact; the interim contact leaves the anchored step due', () => {
    let plan = initialPlan(POST_SURGERY_V1, surgery, surgery);
    plan = recordContact(POST_SURGERY_V1, plan, { at: day(7) }, 'stable');
    plan = recordContact(POST_SURGERY_V1, plan, { at: day(30) }, 'stable');
    const proposal = proposeChange(POST_SURGERY_V1, plan, judge(POST_SURGERY_V1, { urgentAlerts: 1, warningAlerts: 0, daysWithData: 30 }), day(40));
    expect(proposal).toEqual(expect.objectContaining({ kind: 'interim_contact', toIntervalDays: 7 }));
    plan = applyChange(plan, proposal!, day(40));
    expect(offset(plan.nextDueAt)).toBe(47);
    plan = recordContact(POST_SURGERY_V1, plan, { at: day(46) }, 'stable');
    expect(offset(plan.nextDueAt)).toBe(90);
  });

  it('enrolled on day 20 after surgery, the first contact is day 30', () => {
    expect(offset(initialPlan(POST_SURGERY_V1, day(20), surgery).nextDueAt)).toBe(30);
  });
});

describe('a clinician sets the interval or the date at any time', () => {
  it('from today, or on the date given', () => {
    const plan = initialPlan(DIABETES_V1, day(0));
    expect(offset(clinicianSet(plan, { intervalDays: 10 }, day(5)).nextDueAt)).toBe(15);
    expect(clinicianSet(plan, { nextDueAt: day(12) }, day(5)).nextDueAt).toEqual(day(12));
  });
});

describe('adherence against the device’s own cadence', () => {
  it.each([
    ['cgm', 288 * 14 * 0.8, 14, 80],
    ['blood_pressure_cuff', 28, 14, 100],
    ['blood_pressure_cuff', 7, 14, 25],
    ['hub', 0, 14, undefined],
  ] as const)('%s with %s readings over %s days: %s%', (kind, readings, days, expected) => {
    const percent = adherencePercent(kind, readings, days);
    if (expected === undefined) expect(percent).toBeUndefined();
    else expect(percent).toBeCloseTo(expected, 5);
  });
});

describe('reminders 7 days, 3 days and on the day, once each, never for a contact already past', () => {
  const due = new Date(Date.UTC(2026, 3, 10, 9));
  const at = (days: number, hour = 6) => new Date(Date.UTC(2026, 3, 10 + days, hour));
  it.each([
    [-8, [], null],
    [-7, [], 'due_in_7_days'],
    [-5, ['due_in_7_days'], null],
    [-3, ['due_in_7_days'], 'due_in_3_days'],
    [0, ['due_in_7_days', 'due_in_3_days'], 'due_today'],
    [0, ['due_in_7_days', 'due_in_3_days', 'due_today'], null],
    [-2, [], 'due_in_3_days'], // a job that was down sends the current reminder only, not three stale ones
    [1, [], null], // the contact's day has passed: nothing
  ] as const)('%s days from due, after %j: %s', (days, sent, expected) => {
    expect(reminderDue(due, at(days), sent)).toBe(expected);
  });
});

describe("a patient's one-action link acts only on the contact still due, until its day has passed", () => {
  const due = new Date(Date.UTC(2026, 0, 10, 9));
  const at = (hours: number) => new Date(due.getTime() + hours * 3_600_000);
  it.each([
    ['a day before', due, at(-24), true],
    ['on the day, after the due time', due, at(10), true],
    ['the day after (the link itself is still valid)', due, at(16), false],
    ['after a contact moved the due date', new Date(due.getTime() + 30 * 86_400_000), at(-24), false],
    ['with no plan', null, at(-24), false],
  ] as const)('%s', (_, planDueAt, now, open) => {
    expect(patientLinkDueOpen(due, planDueAt, now)).toBe(open);
  });
});

describe('overdue, missed at 90 days past due, lost at 12 months without a contact (Simple.org)', () => {
  it.each([
    [99, null, 'scheduled'],
    [101, null, 'overdue'],
    [190, day(95), 'missed'],
    [466, day(100), 'lost_to_follow_up'],
    [400, day(30), 'lost_to_follow_up'],
  ] as const)('due day 100, on day %s (last contact %s): %s', (today, lastContactAt, status) => {
    expect(followUpStatus({ nextDueAt: day(100), lastContactAt, enrolledAt: day(0) }, day(today))).toBe(status);
  });

  it('a yearly contact due a year after the last one is not lost on its due day', () => {
    expect(followUpStatus({ nextDueAt: day(730), lastContactAt: day(365), enrolledAt: day(0) }, day(730))).toBe('scheduled');
  });
});

describe('pathway templates are versioned data', () => {
  it('finds the newest version, or the one asked for', () => {
    const v2 = { ...DIABETES_V1, version: 2 };
    expect(pathwayTemplate('diabetes', undefined, [DIABETES_V1, v2])?.version).toBe(2);
    expect(pathwayTemplate('diabetes', 1, [DIABETES_V1, v2])?.version).toBe(1);
    expect(pathwayTemplate('nope')).toBeUndefined();
  });
});
