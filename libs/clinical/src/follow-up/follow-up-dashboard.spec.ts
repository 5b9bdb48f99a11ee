import { aggregateFollowUpDashboard, type DashboardFacts, type DashboardPatientFacts } from './follow-up-dashboard';

const DAY = 86_400_000;
const now = new Date(Date.UTC(2026, 2, 1));
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);

const patient = (id: string, extra: Partial<DashboardPatientFacts> = {}): DashboardPatientFacts => ({
  patientId: id,
  displayName: `Patient ${id}`,
  careTeamId: 'team-a',
  careTeamName: 'Team A',
  clinicianId: 'nurse-1',
  clinicianName: 'Nurse One',
  status: 'scheduled',
  enrolledAt: daysAgo(200),
  nextDueAt: daysAgo(-10),
  enoughData: true,
  homeBpControlled: null,
  cgmInTarget: null,
  ...extra,
});

const facts = (extra: Partial<DashboardFacts>): DashboardFacts => ({
  now,
  weeks: 4,
  patients: [],
  contacts: [],
  statusChanges: [],
  acknowledgements: [],
  discharges: [],
  admissions: [],
  ...extra,
});

describe('the follow-up dashboard', () => {
  it('coverage counts every patient of the scope; overdue, missed and lost count the patients with a plan', () => {
    const dashboard = aggregateFollowUpDashboard(
      facts({
        patients: [
          patient('a', { status: 'overdue', nextDueAt: daysAgo(3) }),
          patient('b', { status: 'missed', nextDueAt: daysAgo(100), enoughData: false }),
          patient('c', { status: 'lost_to_follow_up', nextDueAt: daysAgo(400) }),
          patient('d', { status: null, nextDueAt: null, enrolledAt: null, enoughData: false, clinicianId: null, clinicianName: null }),
        ],
      }),
    );
    expect(dashboard.totals.coverage).toEqual({ count: 2, of: 4, percent: 50, patientIds: ['a', 'c'] });
    expect(dashboard.totals.overdue).toEqual({ count: 1, of: 3, percent: 33.3, patientIds: ['a'] });
    expect(dashboard.totals.missed.patientIds).toEqual(['b']);
    expect(dashboard.totals.lostToFollowUp.patientIds).toEqual(['c']);
    expect(dashboard.byClinician.map((group) => [group.name, group.figures.patients])).toEqual([
      ['Nurse One', 3],
      ['Unassigned', 1],
    ]);
  });

  it('completion: due contacts of the period completed, over those completed and those still outstanding', () => {
    const dashboard = aggregateFollowUpDashboard(
      facts({
        patients: [patient('a', { status: 'overdue', nextDueAt: daysAgo(2) }), patient('b')],
        contacts: [
          { patientId: 'b', at: daysAgo(8), completedDueAt: daysAgo(7) }, // completed early, counts
          { patientId: 'b', at: daysAgo(40), completedDueAt: daysAgo(40) }, // before the 4 weeks
          { patientId: 'a', at: daysAgo(21), completedDueAt: daysAgo(20) },
        ],
      }),
    );
    expect(dashboard.totals.completion).toEqual({ count: 2, of: 3, percent: 66.7, patientIds: ['b', 'a'] });
  });

  it('control rates over the patients measured only', () => {
    const dashboard = aggregateFollowUpDashboard(
      facts({
        patients: [
          patient('a', { homeBpControlled: true }),
          patient('b', { homeBpControlled: false, cgmInTarget: true }),
          patient('c', { cgmInTarget: false }),
          patient('d'),
        ],
      }),
    );
    expect(dashboard.totals.bloodPressureControl).toEqual({ count: 1, of: 2, percent: 50, patientIds: ['a'] });
    expect(dashboard.totals.timeInRangeControl).toEqual({ count: 1, of: 2, percent: 50, patientIds: ['b'] });
  });

  it('readmission within 30 days of a discharge in the period; a visit and the anchor of the same day count once', () => {
    const dashboard = aggregateFollowUpDashboard(
      facts({
        weeks: 8,
        patients: [patient('a'), patient('b'), patient('c')],
        discharges: [
          { patientId: 'a', at: daysAgo(40) },
          { patientId: 'a', at: new Date(daysAgo(40).getTime() + 3_600_000) },
          { patientId: 'b', at: daysAgo(50) },
          { patientId: 'c', at: daysAgo(20) },
          { patientId: 'c', at: daysAgo(100) }, // before the period
        ],
        admissions: [
          { patientId: 'a', at: daysAgo(11) }, // day 29 after discharge: a readmission
          { patientId: 'b', at: daysAgo(19) }, // day 31: not
          { patientId: 'c', at: daysAgo(90) }, // after the old discharge, not the one in the period
        ],
      }),
    );
    expect(dashboard.totals.readmissions).toEqual({ count: 1, of: 3, percent: 33.3, patientIds: ['a'] });
  });

  it('time to acknowledge: median and p90 (linear between ranks, as percentile_cont) over the scope, a clinician’s over the alerts they acknowledged', () => {
    const acknowledgements = [3, 5, 7, 9, 30].map((minutes, index) => ({
      patientId: index < 4 ? 'a' : 'b',
      userId: index < 4 ? 'nurse-1' : 'doctor-1',
      userName: index < 4 ? 'Nurse One' : 'Dr Two',
      minutes,
    }));
    const dashboard = aggregateFollowUpDashboard(facts({ patients: [patient('a'), patient('b')], acknowledgements }));
    expect(dashboard.totals.acknowledgement).toEqual({ acknowledged: 5, medianMinutes: 7, p90Minutes: 21.6, patientIds: ['a', 'b'] });
    const doctor = dashboard.byClinician.find((group) => group.clinicianId === 'doctor-1')!;
    expect(doctor.figures.acknowledgement.medianMinutes).toBe(30);
    expect(doctor.figures.patients).toBe(0);
  });

  it('the weekly trend replays status changes: each week counts the status held at its end', () => {
    const dashboard = aggregateFollowUpDashboard(
      facts({
        weeks: 3,
        patients: [patient('a', { status: 'missed' }), patient('b', { enrolledAt: daysAgo(3), status: 'overdue' })],
        statusChanges: [
          { patientId: 'a', at: daysAgo(30), toStatus: 'overdue' },
          { patientId: 'a', at: daysAgo(10), toStatus: 'missed' },
          { patientId: 'b', at: daysAgo(1), toStatus: 'overdue' },
        ],
        contacts: [{ patientId: 'a', at: daysAgo(16), completedDueAt: daysAgo(16) }],
      }),
    );
    expect(dashboard.trend.map(({ overdue, missed, lostToFollowUp, contactsCompleted }) => [overdue, missed, lostToFollowUp, contactsCompleted])).toEqual([
      [1, 0, 0, 1],
      [0, 1, 0, 0],
      [1, 1, 0, 0],
    ]);
    expect(dashboard.trend[2].weekEnd).toEqual(now);
  });
});
