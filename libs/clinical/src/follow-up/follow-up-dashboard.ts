/**
 * The follow-up centre's dashboard as arithmetic over facts the caller gathers (docs/follow-up-pathways.md,
 * "Dashboard"): coverage, completion of due contacts, overdue / missed / lost to follow-up now and week by
 * week, control rates, time to acknowledge alerts and readmissions within 30 days of discharge, for the whole
 * scope, per responsible clinician and per care team, each figure with the patients behind it.
 */
import { percentile } from '../reports/agp';
import type { FollowUpStatus } from './follow-up-policy';

const DAY = 86_400_000;
const WEEK = 7 * DAY;
/** A readmission counts within 30 days of the discharge (the CMS Hospital Readmissions Reduction Program window). */
export const READMISSION_WINDOW_DAYS = 30;

/** One patient of the scope, with what the data and the plan say now. */
export interface DashboardPatientFacts {
  patientId: string;
  displayName: string;
  careTeamId: string;
  careTeamName: string;
  /** The plan's responsible staff member; null when unassigned or without a plan. */
  clinicianId: string | null;
  clinicianName: string | null;
  /** The stored follow-up status; null without a plan. */
  status: FollowUpStatus | null;
  enrolledAt: Date | null;
  /** The contact due next (outstanding when it is already past). */
  nextDueAt: Date | null;
  /** Enough data to judge: a home BP mean or a CGM fortnight with sufficient coverage. */
  enoughData: boolean;
  /** Home BP mean below 135/85; null when not measured. */
  homeBpControlled: boolean | null;
  /** CGM time in range meeting its target; null when not measured. */
  cgmInTarget: boolean | null;
}

export interface DashboardFacts {
  now: Date;
  weeks: number;
  patients: readonly DashboardPatientFacts[];
  /** Contacts that completed a due follow-up: when the contact happened and the due date it completed. */
  contacts: readonly { patientId: string; at: Date; completedDueAt: Date }[];
  /** Every stored status change of the scope's plans up to `now`. */
  statusChanges: readonly { patientId: string; at: Date; toStatus: FollowUpStatus }[];
  /** Alerts raised in the period and acknowledged, with who did and how long it took. */
  acknowledgements: readonly { patientId: string; userId: string; userName: string; minutes: number }[];
  /** Hospital discharges (discharge visits and the anchors of anchored pathways) and admissions. */
  discharges: readonly { patientId: string; at: Date }[];
  admissions: readonly { patientId: string; at: Date }[];
  /** Satisfaction surveys answered after a contact, with the contact's clinician and the patient's care team. */
  satisfaction?: readonly SatisfactionFact[];
  /** Reminders sent to patients, by the channel that carried each. */
  reminders?: readonly ReminderFact[];
  /** What patients did through their links: confirmed or asked to reschedule a contact, answered a questionnaire. */
  patientResponses?: readonly PatientResponseFact[];
}

export interface SatisfactionFact {
  patientId: string;
  careTeamId: string;
  careTeamName: string;
  clinicianId: string | null;
  clinicianName: string | null;
  answeredAt: Date;
  /** Item 1, 1 (very dissatisfied) to 5 (very satisfied). */
  overall: number;
  /** 0 no, 1 partly, 2 yes. */
  helped: number;
  /** 0 no, 1 not sure, 2 yes. */
  recommend: number;
}

export interface ReminderFact {
  patientId: string;
  channel: string;
  sentAt: Date;
  /** The contact the reminder was about. */
  dueAt: Date;
}

export interface PatientResponseFact {
  patientId: string;
  at: Date;
  kind: 'confirm' | 'reschedule' | 'questionnaire';
  /** The contact a link's answer was about; null for a questionnaire. */
  dueAt: Date | null;
}

/** A reminder counts as answered when the patient responds within this many days of it (a platform choice). */
export const REMINDER_RESPONSE_WINDOW_DAYS = 7;

export interface SatisfactionSummary {
  responses: number;
  /** Mean of item 1 (1-5), two decimals; null without responses. */
  meanSatisfaction: number | null;
  /** Share answering "yes" to "did the contact help" / "would you recommend", %. */
  helpedPercent: number | null;
  recommendPercent: number | null;
  patientIds: string[];
}

export interface SatisfactionFigures extends SatisfactionSummary {
  byClinician: ({ clinicianId: string | null; name: string } & SatisfactionSummary)[];
  byCareTeam: ({ careTeamId: string; name: string } & SatisfactionSummary)[];
  trend: { weekStart: Date; weekEnd: Date; responses: number; meanSatisfaction: number | null }[];
}

export interface ChannelResponse {
  channel: string;
  /** Reminders the channel carried in the period. */
  sent: number;
  /** Of those, the ones the patient responded to within the window (each response credited to the latest reminder before it). */
  responded: number;
  /** Sent less than the window ago and not responded to yet: not counted either way. */
  awaiting: number;
  /** responded / (sent - awaiting), one decimal; null when nothing is settled. */
  percent: number | null;
}

/** A count out of a whole, with its share in percent (one decimal, null when the whole is 0) and the patients behind it. */
export interface DashboardFigure {
  count: number;
  of: number;
  percent: number | null;
  patientIds: string[];
}

export interface DashboardFigures {
  patients: number;
  coverage: DashboardFigure;
  completion: DashboardFigure;
  overdue: DashboardFigure;
  missed: DashboardFigure;
  lostToFollowUp: DashboardFigure;
  bloodPressureControl: DashboardFigure;
  timeInRangeControl: DashboardFigure;
  readmissions: DashboardFigure;
  acknowledgement: { acknowledged: number; medianMinutes: number | null; p90Minutes: number | null; patientIds: string[] };
}

export interface DashboardWeek {
  weekStart: Date;
  weekEnd: Date;
  overdue: number;
  missed: number;
  lostToFollowUp: number;
  contactsCompleted: number;
}

export interface FollowUpDashboard {
  from: Date;
  to: Date;
  weeks: number;
  totals: DashboardFigures;
  byClinician: { clinicianId: string | null; name: string; figures: DashboardFigures }[];
  byCareTeam: { careTeamId: string; name: string; figures: DashboardFigures }[];
  trend: DashboardWeek[];
  satisfaction: SatisfactionFigures;
  responseByChannel: ChannelResponse[];
  patients: { patientId: string; displayName: string; careTeam: string; clinician: string | null; status: FollowUpStatus | null }[];
}

const percent = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 1000) / 10);
const unique = (ids: Iterable<string>): string[] => [...new Set(ids)];
const figure = (patientIds: string[], of: number, count = patientIds.length): DashboardFigure => ({
  count,
  of,
  percent: percent(count, of),
  patientIds: unique(patientIds),
});

/** Percentile p (0-100) of unsorted values; null when there are none (type 7, as PostgreSQL percentile_cont). */
function percentileOf(values: readonly number[], p: number): number | null {
  return values.length === 0
    ? null
    : percentile(
        [...values].sort((a, b) => a - b),
        p,
      );
}

/** Discharges in [from, to], the same patient's within a day counted once (a discharge visit and the pathway's anchor). */
function distinctDischarges(discharges: DashboardFacts['discharges'], from: Date, to: Date): { patientId: string; at: Date }[] {
  const kept: { patientId: string; at: Date }[] = [];
  for (const discharge of [...discharges].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    if (discharge.at < from || discharge.at > to) continue;
    if (kept.some((other) => other.patientId === discharge.patientId && Math.abs(other.at.getTime() - discharge.at.getTime()) < DAY)) continue;
    kept.push(discharge);
  }
  return kept;
}

function figuresOf(
  patients: readonly DashboardPatientFacts[],
  facts: DashboardFacts,
  from: Date,
  acknowledgements: DashboardFacts['acknowledgements'],
): DashboardFigures {
  const now = facts.now;
  const ids = new Set(patients.map((patient) => patient.patientId));
  const planned = patients.filter((patient) => patient.status !== null);
  const withStatus = (status: FollowUpStatus) => planned.filter((patient) => patient.status === status).map((patient) => patient.patientId);

  // Due contacts of the period: those completed (by their due date) and those still outstanding.
  const completed = facts.contacts.filter((contact) => ids.has(contact.patientId) && contact.completedDueAt >= from && contact.completedDueAt < now);
  const outstanding = planned.filter((patient) => patient.nextDueAt !== null && patient.nextDueAt >= from && patient.nextDueAt < now);
  const due = completed.length + outstanding.length;

  const bpMeasured = patients.filter((patient) => patient.homeBpControlled !== null);
  const cgmMeasured = patients.filter((patient) => patient.cgmInTarget !== null);

  const discharges = distinctDischarges(
    facts.discharges.filter((discharge) => ids.has(discharge.patientId)),
    from,
    now,
  );
  const readmitted = discharges.filter((discharge) =>
    facts.admissions.some(
      (admission) =>
        admission.patientId === discharge.patientId &&
        admission.at > discharge.at &&
        admission.at.getTime() <= discharge.at.getTime() + READMISSION_WINDOW_DAYS * DAY,
    ),
  );
  const minutes = acknowledgements.map((acknowledgement) => acknowledgement.minutes);
  const round = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);

  return {
    patients: patients.length,
    coverage: figure(
      patients.filter((patient) => patient.enoughData).map((patient) => patient.patientId),
      patients.length,
    ),
    completion: figure([...completed.map((contact) => contact.patientId), ...outstanding.map((patient) => patient.patientId)], due, completed.length),
    overdue: figure(withStatus('overdue'), planned.length),
    missed: figure(withStatus('missed'), planned.length),
    lostToFollowUp: figure(withStatus('lost_to_follow_up'), planned.length),
    bloodPressureControl: figure(
      bpMeasured.filter((patient) => patient.homeBpControlled).map((patient) => patient.patientId),
      bpMeasured.length,
    ),
    timeInRangeControl: figure(
      cgmMeasured.filter((patient) => patient.cgmInTarget).map((patient) => patient.patientId),
      cgmMeasured.length,
    ),
    readmissions: figure(
      readmitted.map((discharge) => discharge.patientId),
      discharges.length,
      readmitted.length,
    ),
    acknowledgement: {
      acknowledged: minutes.length,
      medianMinutes: round(percentileOf(minutes, 50)),
      p90Minutes: round(percentileOf(minutes, 90)),
      patientIds: unique(acknowledgements.map((acknowledgement) => acknowledgement.patientId)),
    },
  };
}

/** Each week's end, oldest first: the count in each status then (the last status change at or before it) and the contacts of the week. */
function weeklyTrend(facts: DashboardFacts, from: Date): DashboardWeek[] {
  const changesOf = new Map<string, { at: Date; toStatus: FollowUpStatus }[]>();
  for (const change of [...facts.statusChanges].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    const list = changesOf.get(change.patientId) ?? [];
    list.push(change);
    changesOf.set(change.patientId, list);
  }
  const planned = facts.patients.filter((patient) => patient.enrolledAt !== null);
  return Array.from({ length: facts.weeks }, (_, index) => {
    const weekStart = new Date(from.getTime() + index * WEEK);
    const weekEnd = new Date(weekStart.getTime() + WEEK);
    const counts = { overdue: 0, missed: 0, lost_to_follow_up: 0, scheduled: 0 };
    for (const patient of planned) {
      if (patient.enrolledAt! > weekEnd) continue;
      let status: FollowUpStatus = 'scheduled';
      for (const change of changesOf.get(patient.patientId) ?? []) {
        if (change.at > weekEnd) break;
        status = change.toStatus;
      }
      counts[status]++;
    }
    const ids = new Set(planned.map((patient) => patient.patientId));
    const contactsCompleted = facts.contacts.filter((contact) => ids.has(contact.patientId) && contact.at > weekStart && contact.at <= weekEnd).length;
    return { weekStart, weekEnd, overdue: counts.overdue, missed: counts.missed, lostToFollowUp: counts.lost_to_follow_up, contactsCompleted };
  });
}

const mean = (values: readonly number[]): number | null =>
  values.length === 0 ? null : Math.round((values.reduce((sum, value) => sum + value, 0) / values.length) * 100) / 100;

function satisfactionSummary(answers: readonly SatisfactionFact[]): SatisfactionSummary {
  return {
    responses: answers.length,
    meanSatisfaction: mean(answers.map((answer) => answer.overall)),
    helpedPercent: percent(answers.filter((answer) => answer.helped === 2).length, answers.length),
    recommendPercent: percent(answers.filter((answer) => answer.recommend === 2).length, answers.length),
    patientIds: unique(answers.map((answer) => answer.patientId)),
  };
}

/** The surveys answered in [from, now]: overall, per contact clinician, per care team and week by week. */
export function aggregateSatisfaction(facts: readonly SatisfactionFact[], from: Date, now: Date, weeks: number): SatisfactionFigures {
  const inPeriod = facts.filter((fact) => fact.answeredAt >= from && fact.answeredAt <= now);
  const groups = <K>(key: (fact: SatisfactionFact) => K, name: (fact: SatisfactionFact) => string) => {
    const map = new Map<K, { name: string; facts: SatisfactionFact[] }>();
    for (const fact of inPeriod) {
      const group = map.get(key(fact)) ?? { name: name(fact), facts: [] };
      group.facts.push(fact);
      map.set(key(fact), group);
    }
    return [...map].sort((a, b) => a[1].name.localeCompare(b[1].name));
  };
  return {
    ...satisfactionSummary(inPeriod),
    byClinician: groups(
      (fact) => fact.clinicianId,
      (fact) => fact.clinicianName ?? 'Unknown',
    ).map(([clinicianId, group]) => ({ clinicianId, name: group.name, ...satisfactionSummary(group.facts) })),
    byCareTeam: groups(
      (fact) => fact.careTeamId,
      (fact) => fact.careTeamName,
    ).map(([careTeamId, group]) => ({ careTeamId, name: group.name, ...satisfactionSummary(group.facts) })),
    trend: Array.from({ length: weeks }, (_, index) => {
      const weekStart = new Date(from.getTime() + index * WEEK);
      const weekEnd = new Date(weekStart.getTime() + WEEK);
      const week = inPeriod.filter((fact) => fact.answeredAt > weekStart && fact.answeredAt <= weekEnd);
      return { weekStart, weekEnd, responses: week.length, meanSatisfaction: mean(week.map((fact) => fact.overall)) };
    }),
  };
}

/**
 * Response rate per channel of the reminders sent in [from, now]: each patient response (a confirm or
 * reschedule through the reminder's link, for the same contact; or a questionnaire answered) is credited to the
 * latest reminder the patient was sent at or before it, within REMINDER_RESPONSE_WINDOW_DAYS; a reminder is
 * responded to when at least one response is credited to it. Channels in alphabetical order.
 */
export function responseRateByChannel(
  reminders: readonly ReminderFact[],
  responses: readonly PatientResponseFact[],
  from: Date,
  now: Date,
  windowDays = REMINDER_RESPONSE_WINDOW_DAYS,
): ChannelResponse[] {
  const window = windowDays * DAY;
  const sent = reminders.filter((reminder) => reminder.sentAt >= from && reminder.sentAt <= now);
  const answered = new Set<ReminderFact>();
  for (const response of responses) {
    const prompted = sent
      .filter(
        (reminder) =>
          reminder.patientId === response.patientId &&
          reminder.sentAt <= response.at &&
          response.at.getTime() - reminder.sentAt.getTime() <= window &&
          (response.dueAt === null || response.dueAt.getTime() === reminder.dueAt.getTime()),
      )
      .sort((a, b) => b.sentAt.getTime() - a.sentAt.getTime())[0];
    if (prompted) answered.add(prompted);
  }
  const channels = [...new Set(sent.map((reminder) => reminder.channel))].sort();
  return channels.map((channel) => {
    const carried = sent.filter((reminder) => reminder.channel === channel);
    const responded = carried.filter((reminder) => answered.has(reminder)).length;
    const awaiting = carried.filter((reminder) => !answered.has(reminder) && now.getTime() - reminder.sentAt.getTime() < window).length;
    return { channel, sent: carried.length, responded, awaiting, percent: percent(responded, carried.length - awaiting) };
  });
}

/** The dashboard over the last `weeks` weeks ending at `now`. */
export function aggregateFollowUpDashboard(facts: DashboardFacts): FollowUpDashboard {
  const from = new Date(facts.now.getTime() - facts.weeks * WEEK);
  const byName = <T extends { name: string }>(groups: T[]) => groups.sort((a, b) => a.name.localeCompare(b.name));

  const clinicians = new Map<string | null, string>();
  for (const patient of facts.patients) clinicians.set(patient.clinicianId, patient.clinicianName ?? 'Unassigned');
  for (const acknowledgement of facts.acknowledgements)
    if (!clinicians.has(acknowledgement.userId)) clinicians.set(acknowledgement.userId, acknowledgement.userName);
  const teams = new Map(facts.patients.map((patient) => [patient.careTeamId, patient.careTeamName]));

  return {
    from,
    to: facts.now,
    weeks: facts.weeks,
    totals: figuresOf(facts.patients, facts, from, facts.acknowledgements),
    // A clinician's figures: the patients they are responsible for, and the alerts they acknowledged themselves.
    byClinician: byName(
      [...clinicians].map(([clinicianId, name]) => ({
        clinicianId,
        name,
        figures: figuresOf(
          facts.patients.filter((patient) => patient.clinicianId === clinicianId),
          facts,
          from,
          facts.acknowledgements.filter((acknowledgement) => acknowledgement.userId === clinicianId),
        ),
      })),
    ),
    byCareTeam: byName(
      [...teams].map(([careTeamId, name]) => {
        const members = facts.patients.filter((patient) => patient.careTeamId === careTeamId);
        const ids = new Set(members.map((patient) => patient.patientId));
        return {
          careTeamId,
          name,
          figures: figuresOf(
            members,
            facts,
            from,
            facts.acknowledgements.filter((acknowledgement) => ids.has(acknowledgement.patientId)),
          ),
        };
      }),
    ),
    trend: weeklyTrend(facts, from),
    satisfaction: aggregateSatisfaction(facts.satisfaction ?? [], from, facts.now, facts.weeks),
    responseByChannel: responseRateByChannel(facts.reminders ?? [], facts.patientResponses ?? [], from, facts.now),
    patients: [...facts.patients]
      .sort((a, b) => a.displayName.localeCompare(b.displayName))
      .map((patient) => ({
        patientId: patient.patientId,
        displayName: patient.displayName,
        careTeam: patient.careTeamName,
        clinician: patient.clinicianName,
        status: patient.status,
      })),
  };
}
