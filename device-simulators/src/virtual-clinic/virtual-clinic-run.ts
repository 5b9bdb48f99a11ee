import { SimulatedDevice, type DeviceCredential } from '../simulated-device';
import { SimulatedClockFile } from './simulated-clock-file';
import { devicePayloadsForDay, type VirtualPatient } from './virtual-cohort';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Readings per message: a hub's daily upload, in batches the protocol allows (at most 500). */
const BATCH = 250;

/** A cohort member as provisioned on the platform. */
export interface ClinicPatient {
  profile: VirtualPatient;
  patientId: string;
  device: DeviceCredential;
}

export interface StaffCredentials {
  email: string;
  password: string;
}

/** A staff reminder as it reached the clinic's webhook. */
export interface StaffReminder {
  kind: string;
  patientId: string;
  dueAt: string;
  recipientId: string;
}

export interface VirtualClinicSetup {
  apiUrl: string;
  mqttUrl: string;
  /** The alerting app's health address: when its follow-up job last finished a run. */
  alertingUrl: string;
  clock: SimulatedClockFile;
  /** Simulated midnight (UTC) of day 0. */
  start: Date;
  days: number;
  /** The alerting app's FOLLOW_UP_EVERY_SECONDS, in ms: the harness knows which clock moves make the job run. */
  followUpEveryMs: number;
  patients: ClinicPatient[];
  nurse: StaffCredentials;
  doctor: StaffCredentials;
  /** Staff reminders that reached the clinic's webhook since the last call. */
  takeReminders: () => StaffReminder[];
  /** Days of readings the devices send before day 0, so the first review has data. */
  historyDays?: number;
  progress?: (line: string) => void;
}

/** What the harness saw and did, day by day: its own tally, to hold against the platform's figures. */
export interface VirtualClinicTally {
  days: number;
  readingsPublished: number;
  followUpRuns: number;
  /** Distinct (patient, due date) the nurse found on her worklist. */
  contactsDue: number;
  /** Each of them: whose, the due date and the day the nurse first saw it. */
  duesSeen: { key: string; patientId: string; dueAt: string; day: number }[];
  /**
   * Each "no readings" item as the nurse saw it on her worklist (`noReadings`): since when, the day she first saw
   * it, and the day it left the worklist: right after her contact (`contact`) or by a later day (`gone`).
   */
  noDataItems: { key: string; since: string; reason: string; day: number; endedDay: number | null; endedBy: 'contact' | 'gone' | null }[];
  /** Worklist items past due before the morning's job run that still showed `scheduled` (should be none). */
  pastDueShownScheduled: { key: string; dueAt: string; day: number }[];
  /** The status each unanswering patient's worklist item showed, as `day:status` when it changed. */
  worklistStatus: Record<string, string[]>;
  completed: number;
  callAttempts: number;
  /** Confirmed changes by `kind:toIntervalDays`, and by reason. */
  changes: Record<string, number>;
  reasons: Record<string, number>;
  /** With the simulated day and time of the job run that sent each. */
  reminders: (StaffReminder & { day: number; at: string })[];
  /** Each completed contact: whose, the due date it completed and the day it was made. */
  completedDues: { key: string; patientId: string; dueAt: string; day: number }[];
  /** The interval in force from each day it changed (seen at 10:00, after the doctor's confirmations). */
  intervals: Record<string, { day: number; interval: number }[]>;
  /** Post-surgery: days after surgery of each completed contact. */
  contactsAfterSurgery: Record<string, number[]>;
  /** Each plan's stored status changes as `day:status` (the day of statusSince). */
  statusChanges: Record<string, string[]>;
  finalStatus: Record<string, string>;
  wallSeconds: number;
}

interface WorklistItem {
  patientId: string;
  dueAt: string;
  status: string;
  noReadings: { since: string; reason: string } | null;
}
interface Plan {
  intervalDays: number;
  nextDueAt: string;
  status: string;
  statusSince: string | null;
}
interface Change {
  id: number;
  kind: string;
  toIntervalDays: number;
  reason: string;
  status: string;
}

/** A staff member's session with the API, logging in again if the session ends during a long run. */
class StaffSession {
  private token = '';

  constructor(
    private readonly apiUrl: string,
    private readonly credentials: StaffCredentials,
  ) {}

  async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (!this.token) await this.login();
      const response = await fetch(`${this.apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (response.status === 401 && attempt === 0) {
        this.token = '';
        continue;
      }
      if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as T;
    }
    throw new Error(`${method} ${path}: not authorised`);
  }

  private async login(): Promise<void> {
    const response = await fetch(`${this.apiUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(this.credentials),
    });
    if (response.status !== 200) throw new Error(`login of ${this.credentials.email} failed with ${response.status}`);
    this.token = ((await response.json()) as { token: string }).token;
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The virtual clinic against the platform as it runs: the gateway, alerting and API processes on a simulated
 * clock (SIMULATED_CLOCK_FILE). Each simulated day: at 23:59 the devices upload the day over MQTT (QoS 1) and
 * the harness waits until the API serves every reading and alerting has evaluated them; at 06:00 the follow-up job runs (the clock crossing
 * its slot) and sends its reminders; at 10:00 the doctor confirms every proposed change and the nurse works
 * her worklist through the API: a telephone contact for each patient due or overdue, or a `no_answer` call
 * attempt for the patients who never answer. Returns what it did and saw.
 */
export async function runVirtualClinic(setup: VirtualClinicSetup): Promise<VirtualClinicTally> {
  const began = Date.now();
  const { start, clock } = setup;
  const dayAt = (day: number, hours: number) => new Date(start.getTime() + day * DAY + hours * HOUR);
  const dayOf = (at: string | Date) => Math.floor((new Date(at).getTime() - start.getTime()) / DAY);
  const say = setup.progress ?? (() => undefined);
  const nurse = new StaffSession(setup.apiUrl, setup.nurse);
  const doctor = new StaffSession(setup.apiUrl, setup.doctor);
  const byId = new Map(setup.patients.map((patient) => [patient.patientId, patient]));
  const tally: VirtualClinicTally = {
    days: setup.days,
    readingsPublished: 0,
    followUpRuns: 0,
    contactsDue: 0,
    duesSeen: [],
    noDataItems: [],
    pastDueShownScheduled: [],
    worklistStatus: {},
    completed: 0,
    callAttempts: 0,
    changes: {},
    reasons: {},
    reminders: [],
    completedDues: [],
    intervals: {},
    contactsAfterSurgery: {},
    statusChanges: {},
    finalStatus: {},
    wallSeconds: 0,
  };
  const dueSeen = new Set<string>();
  /** The open "no readings" item of each patient on the worklist, by patient id. */
  const openNoData = new Map<string, VirtualClinicTally['noDataItems'][number]>();
  const lastStatus = new Map<string, string>();

  const lastFollowUpRun = async (): Promise<number> => {
    const response = await fetch(`${setup.alertingUrl}/health/ready`);
    const body = (await response.json()) as { lastSuccessfulRuns?: Record<string, string | null> };
    return Date.parse(body.lastSuccessfulRuns?.['follow-up'] ?? '1970-01-01T00:00:00Z');
  };

  /** Moves the simulated clock; when that crosses the follow-up job's slot, waits for its run and collects its reminders. */
  const moveClock = async (to: Date): Promise<void> => {
    const crosses = Math.floor(to.getTime() / setup.followUpEveryMs) > Math.floor(clock.now().getTime() / setup.followUpEveryMs);
    const before = Math.max(Date.now(), await lastFollowUpRun());
    clock.set(to);
    if (!crosses) return;
    await until(`the follow-up job's run at ${to.toISOString()}`, async () => ((await lastFollowUpRun()) > before ? true : undefined));
    tally.followUpRuns++;
    for (const reminder of setup.takeReminders()) tally.reminders.push({ ...reminder, day: dayOf(to), at: to.toISOString() });
  };

  /** Readings alerting has evaluated since it started (rpm_alerting_readings_evaluated_total): their alerts are in. */
  const readingsEvaluated = async (): Promise<number> => {
    const text = await (await fetch(`${setup.alertingUrl}/metrics`)).text();
    return Number(/^rpm_alerting_readings_evaluated_total(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1] ?? 0);
  };

  const devices = await Promise.all(setup.patients.map((patient) => SimulatedDevice.connect(setup.mqttUrl, patient.device)));
  /** The day's readings over MQTT; then the API until it serves every one of them, and alerting until it has evaluated them. */
  const upload = async (day: number): Promise<void> => {
    const expected = await Promise.all(
      setup.patients.map(async (patient, index) => {
        const readings = devicePayloadsForDay(patient.profile, day, dayAt(day, 0));
        for (let from = 0; from < readings.length; from += BATCH) await devices[index].publish({ readings: readings.slice(from, from + BATCH) });
        tally.readingsPublished += readings.length;
        return readings.length;
      }),
    );
    const range = `from=${dayAt(day, 0).toISOString()}&to=${dayAt(day + 1, 0).toISOString()}&limit=10000`;
    await Promise.all(
      setup.patients.map((patient, index) =>
        until(`day ${day} of ${patient.profile.key} in the store`, async () => {
          const { readings } = await nurse.request<{ readings: unknown[] }>('GET', `/patients/${patient.patientId}/readings?${range}`);
          return readings.length >= expected[index] ? true : undefined;
        }),
      ),
    );
    await until(`alerting to evaluate day ${day}`, async () => ((await readingsEvaluated()) >= tally.readingsPublished ? true : undefined));
  };

  try {
    const historyDays = setup.historyDays ?? 14;
    for (let day = -historyDays; day < 0; day++) await upload(day);
    for (let day = 0; day < setup.days; day++) {
      if (day > 0) {
        await moveClock(dayAt(day - 1, 23 + 59 / 60));
        await upload(day - 1);
      }
      await moveClock(dayAt(day, 6));
      await moveClock(dayAt(day, 10));

      // The doctor confirms what the assessment proposed.
      for (const patient of setup.patients) {
        const key = patient.profile.key;
        const view = await doctor.request<{ plan: Plan; changes: Change[] }>('GET', `/patients/${patient.patientId}/follow-up`);
        let plan = view.plan;
        for (const change of view.changes.filter((change) => change.status === 'proposed')) {
          plan = (await doctor.request<{ plan: Plan }>('POST', `/patients/${patient.patientId}/follow-up/changes/${change.id}/confirm`)).plan;
          const kind = `${change.kind}:${change.toIntervalDays}`;
          tally.changes[kind] = (tally.changes[kind] ?? 0) + 1;
          tally.reasons[change.reason] = (tally.reasons[change.reason] ?? 0) + 1;
        }
        const history = (tally.intervals[key] ??= []);
        if (history.at(-1)?.interval !== plan.intervalDays) history.push({ day, interval: plan.intervalDays });
      }

      // The nurse works her worklist: everyone due today or overdue.
      const worklist = await nurse.request<{ items: WorklistItem[] }>('GET', '/follow-up/worklist');
      // "No readings" items that left the worklist since yesterday without the nurse's contact (readings resumed).
      for (const [patientId, open] of openNoData) {
        if (worklist.items.some((item) => item.patientId === patientId && item.noReadings?.since === open.since)) continue;
        Object.assign(open, { endedDay: day, endedBy: 'gone' });
        openNoData.delete(patientId);
      }
      for (const item of worklist.items) {
        const patient = byId.get(item.patientId);
        if (!patient) continue;
        const key = patient.profile.key;
        if (item.noReadings && openNoData.get(item.patientId)?.since !== item.noReadings.since) {
          const seen = { key, since: item.noReadings.since, reason: item.noReadings.reason, day, endedDay: null, endedBy: null };
          tally.noDataItems.push(seen);
          openNoData.set(item.patientId, seen);
        }
        // The morning's run (06:00) has judged every due date before it: none of them may still read `scheduled`.
        if (Date.parse(item.dueAt) < dayAt(day, 6).getTime() && item.status === 'scheduled') tally.pastDueShownScheduled.push({ key, dueAt: item.dueAt, day });
        if (!patient.profile.answers) {
          const shown = (tally.worklistStatus[key] ??= []);
          if (shown.at(-1)?.split(':')[1] !== item.status) shown.push(`${day}:${item.status}`);
        }
        const due = `${item.patientId}:${item.dueAt}`;
        if (!dueSeen.has(due)) {
          dueSeen.add(due);
          tally.contactsDue++;
          tally.duesSeen.push({ key, patientId: item.patientId, dueAt: item.dueAt, day });
        }
        if (!patient.profile.answers) {
          await nurse.request('POST', `/patients/${patient.patientId}/follow-up/call-attempts`, { outcome: 'no_answer' });
          tally.callAttempts++;
          continue;
        }
        await nurse.request('POST', `/patients/${patient.patientId}/visits`, {
          occurredAt: clock.now().toISOString(),
          type: 'telephone',
          outcome: 'reached',
        });
        tally.completed++;
        // The contact ends the patient's "no readings" item: it leaves the worklist at once.
        const open = openNoData.get(item.patientId);
        if (open) {
          const after = await nurse.request<{ items: WorklistItem[] }>('GET', '/follow-up/worklist');
          if (!after.items.some((other) => other.patientId === item.patientId && other.noReadings)) {
            Object.assign(open, { endedDay: day, endedBy: 'contact' });
            openNoData.delete(item.patientId);
          }
        }
        tally.completedDues.push({ key: patient.profile.key, patientId: patient.patientId, dueAt: item.dueAt, day });
        if (patient.profile.surgeryDay !== undefined) {
          (tally.contactsAfterSurgery[patient.profile.key] ??= []).push(day - patient.profile.surgeryDay);
        }
      }

      // What each plan's stored status says now.
      for (const patient of setup.patients) {
        const { plan } = await nurse.request<{ plan: Plan }>('GET', `/patients/${patient.patientId}/follow-up`);
        if (plan.status !== (lastStatus.get(patient.patientId) ?? 'scheduled')) {
          (tally.statusChanges[patient.profile.key] ??= []).push(`${dayOf(plan.statusSince ?? clock.now())}:${plan.status}`);
        }
        lastStatus.set(patient.patientId, plan.status);
        tally.finalStatus[patient.profile.key] = plan.status;
      }
      if (day % 5 === 4 || day === setup.days - 1)
        say(`day ${day + 1}/${setup.days}: ${tally.completed} contacts, ${tally.reminders.length} reminders, ${Math.round((Date.now() - began) / 1000)} s`);
    }
  } finally {
    await Promise.all(devices.map((device) => device.close()));
  }
  tally.wallSeconds = Math.round((Date.now() - began) / 1000);
  return tally;
}

/** The summary table the lead quotes: contacts, statuses, interval changes by reason, reminders. */
export function summaryTable(tally: VirtualClinicTally, dashboard?: { overdue: number; missed: number; lost: number; completion?: string }): string {
  const rows: [string, string | number][] = [
    ['simulated days', tally.days],
    ['readings published (MQTT QoS 1)', tally.readingsPublished],
    ['follow-up job runs', tally.followUpRuns],
    ['contacts due (distinct due dates on the worklist)', tally.contactsDue],
    ['completed', tally.completed],
    ['call attempts without answer', tally.callAttempts],
    [
      'no-data items raised / closed (nurse worklist)',
      `${tally.noDataItems.length} / ${tally.noDataItems.filter((item) => item.endedBy).length} (${
        tally.noDataItems.filter((item) => item.endedBy === 'contact').length
      } by a contact)`,
    ],
    [
      'overdue / missed / lost at the end (harness)',
      ['overdue', 'missed', 'lost_to_follow_up'].map((status) => Object.values(tally.finalStatus).filter((s) => s === status).length).join(' / '),
    ],
    ...(dashboard
      ? ([['overdue / missed / lost at the end (dashboard)', `${dashboard.overdue} / ${dashboard.missed} / ${dashboard.lost}`]] as [string, string][])
      : []),
    ...(dashboard?.completion ? ([['due contacts completed (dashboard)', dashboard.completion]] as [string, string][]) : []),
    [
      'staff reminders sent',
      `${tally.reminders.length} (${['due_in_7_days', 'due_in_3_days', 'due_today'].map((kind) => `${kind} ${tally.reminders.filter((r) => r.kind === kind).length}`).join(', ')})`,
    ],
    ...Object.entries(tally.changes).map(([change, count]): [string, number] => [`interval change ${change}`, count]),
    ...Object.entries(tally.reasons).map(([reason, count]): [string, number] => [`  reason: ${reason}`, count]),
    ['wall time', `${tally.wallSeconds} s`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `| ${name.padEnd(width)} | ${value} |`).join('\n');
}
