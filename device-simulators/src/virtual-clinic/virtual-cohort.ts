import type { DeviceReading } from '@rpm/contracts';

/**
 * The virtual clinic's cohort: who the patients are, what their devices send each simulated day, and how
 * they answer the phone. Pure and deterministic (seeded), so a run over 12 simulated months is repeatable.
 */
export type VirtualProfile =
  | 'stable_diabetic'
  | 'swinging_diabetic'
  | 'controlled_hypertensive'
  | 'uncontrolled_hypertensive'
  | 'post_surgery'
  | 'post_surgery_day_80'
  | 'post_surgery_day_170'
  | 'stops_uploading'
  | 'never_answers'
  | 'silent_for_a_year';

export interface VirtualPatient {
  key: VirtualProfile;
  pathway: 'diabetes' | 'hypertension' | 'post_surgery';
  deviceKind: 'cgm' | 'blood_pressure_cuff' | 'wearable';
  /** Answers the nurse's call. */
  answers: boolean;
  /** Simulated day of enrolment (0 = the first day of the run; negative = before it). */
  enrolDay: number;
  /** Post-surgery: the day of surgery (the pathway's anchor). */
  surgeryDay?: number;
  /** Contacts completed before the run, so that later milestones and margins fall inside a short run. */
  contactDays?: number[];
}

/**
 * Most patients are enrolled on day 0. The post-surgery patients had surgery on day 0 (discharged day 2),
 * 80 days before (their 90-day contact falls on day 10) and 170 days before (180-day contact on day 10). The
 * patient who never answers was enrolled 80 days before, so missed (90 days past due) falls on day 24; the
 * one silent for a year had a last contact 340 days before, so lost (365 days without a contact) falls on day 25
 * (silent on the telephone: its cuff uploads like the others'). The patient who stops uploading is the one whose
 * device worked and went quiet: see STOPS_UPLOADING_SILENCES.
 */
export const VIRTUAL_COHORT: readonly VirtualPatient[] = [
  { key: 'stable_diabetic', pathway: 'diabetes', deviceKind: 'cgm', answers: true, enrolDay: 0 },
  { key: 'swinging_diabetic', pathway: 'diabetes', deviceKind: 'cgm', answers: true, enrolDay: 0 },
  { key: 'controlled_hypertensive', pathway: 'hypertension', deviceKind: 'blood_pressure_cuff', answers: true, enrolDay: 0 },
  { key: 'uncontrolled_hypertensive', pathway: 'hypertension', deviceKind: 'blood_pressure_cuff', answers: true, enrolDay: 0 },
  { key: 'post_surgery', pathway: 'post_surgery', deviceKind: 'wearable', answers: true, enrolDay: 2, surgeryDay: 0 },
  { key: 'post_surgery_day_80', pathway: 'post_surgery', deviceKind: 'wearable', answers: true, enrolDay: -78, surgeryDay: -80, contactDays: [-73, -50] },
  {
    key: 'post_surgery_day_170',
    pathway: 'post_surgery',
    deviceKind: 'wearable',
    answers: true,
    enrolDay: -168,
    surgeryDay: -170,
    contactDays: [-163, -140, -80],
  },
  { key: 'stops_uploading', pathway: 'hypertension', deviceKind: 'blood_pressure_cuff', answers: true, enrolDay: 0 },
  { key: 'never_answers', pathway: 'hypertension', deviceKind: 'blood_pressure_cuff', answers: false, enrolDay: -80 },
  { key: 'silent_for_a_year', pathway: 'hypertension', deviceKind: 'blood_pressure_cuff', answers: false, enrolDay: -420, contactDays: [-340] },
];

/** Days the swinging diabetic swings and the uncontrolled hypertensive stays uncontrolled, from the start. */
export const SWINGING_UNTIL_DAY = 10;
export const UNCONTROLLED_UNTIL_DAY = 50;
/**
 * The patient whose cuff worked and went quiet: silent from day 10 (last reading day 9, 19:00) until the nurse's
 * call gets it going again on day 25; quiet again from day 200 for good (a second silence, in the year's run).
 */
export const STOPS_UPLOADING_SILENCES: readonly { from: number; until?: number }[] = [{ from: 10, until: 25 }, { from: 200 }];
/** Whether the patient who stops uploading is silent on `day`. */
export const isSilentDay = (day: number) => STOPS_UPLOADING_SILENCES.some((silence) => day >= silence.from && day < (silence.until ?? Infinity));

/** mulberry32: a small seeded generator. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const gaussian = (next: () => number) => Math.sqrt(-2 * Math.log(next() || 1e-9)) * Math.cos(2 * Math.PI * next());

export interface VirtualReading {
  measuredAt: Date;
  metric: 'glucose' | 'blood_pressure' | 'heart_rate';
  unit: string;
  values: Record<string, number>;
  source: string;
}

/** What the patient's device sends over simulated day `day` (from `dayStart`, 24 hours). */
export function readingsForDay(patient: VirtualPatient, day: number, dayStart: Date): VirtualReading[] {
  const next = random(day * 97 + patient.key.length * 7919);
  const at = (minutes: number) => new Date(dayStart.getTime() + minutes * 60_000);
  if (patient.deviceKind === 'cgm') {
    // Smooth sensor traces (a CGM filters its signal): white noise between 5-minute readings would look like
    // glucose falling 3 mg/dL a minute and raise urgent alerts that no real patient of this kind would.
    const swinging = patient.key === 'swinging_diabetic' && day < SWINGING_UNTIL_DAY;
    // Swinging: 85-285 mg/dL every 6 hours (CV about 38%, TIR about 48%, never below 70, never falling 3 mg/dL/min);
    // stable: 100-150 mg/dL over the day (TIR 100%, CV about 12%).
    const [mean, amplitude, periodMinutes] = swinging ? [185, 100, 360] : [125, 25, 1440];
    return Array.from({ length: 288 }, (_, n) => ({
      measuredAt: at(n * 5),
      metric: 'glucose' as const,
      unit: 'mg/dL',
      values: { value: Math.round(mean + amplitude * Math.sin((2 * Math.PI * n * 5) / periodMinutes) + gaussian(next)) },
      source: 'cgm',
    }));
  }
  if (patient.deviceKind === 'blood_pressure_cuff') {
    if (patient.key === 'stops_uploading' && isSilentDay(day)) return [];
    const uncontrolled = patient.key === 'uncontrolled_hypertensive' && day < UNCONTROLLED_UNTIL_DAY;
    const [systolic, diastolic] = uncontrolled ? [156, 95] : [126, 78];
    return [7 * 60, 19 * 60].map((minutes) => ({
      measuredAt: at(minutes),
      metric: 'blood_pressure' as const,
      unit: 'mmHg',
      values: { systolic: Math.round(systolic + 4 * gaussian(next)), diastolic: Math.round(diastolic + 3 * gaussian(next)) },
      source: 'cuff',
    }));
  }
  return Array.from({ length: 24 }, (_, hour) => ({
    measuredAt: at(hour * 60 + 30),
    metric: 'heart_rate' as const,
    unit: 'bpm',
    values: { value: Math.round(68 + 5 * gaussian(next)) },
    source: 'watch',
  }));
}

/** The same readings as device protocol v1 payloads, as the patient's device publishes them. */
export function devicePayloadsForDay(patient: VirtualPatient, day: number, dayStart: Date): DeviceReading[] {
  return readingsForDay(patient, day, dayStart).map((reading): DeviceReading => {
    const measuredAt = reading.measuredAt.toISOString();
    if (reading.metric === 'glucose') return { metric: 'glucose', value: reading.values.value, unit: 'mg/dL', source: 'cgm', measuredAt };
    if (reading.metric === 'blood_pressure') {
      return { metric: 'blood_pressure', systolic: reading.values.systolic, diastolic: reading.values.diastolic, unit: 'mmHg', measuredAt };
    }
    return { metric: 'heart_rate', value: reading.values.value, unit: 'bpm', measuredAt };
  });
}
