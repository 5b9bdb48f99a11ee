import { DAY_MS } from '../physiology/clock';
import { GlucoseModel, cgmReadings, meterReadings, type GlucoseProfile } from '../physiology/glucose';
import { bloodPressureReadings, type BloodPressureProfile } from '../physiology/blood-pressure';
import { Random } from '../physiology/random';
import type { TimedReading } from '../physiology/timed-reading';
import { wearableReadings, type WearableProfile } from '../physiology/wearable';
import type { PhysiologyEpisodes } from '../scenarios/physiology-episodes';
import type { DeviceKind } from './device-kind';
import type { PatientProfile } from './patient-profile';

/** One simulated patient's physiology: what each of their devices would measure. Pure and seeded. */
export interface PatientModel {
  profile: PatientProfile;
  glucose: GlucoseModel;
  bloodPressure: BloodPressureProfile;
  wearable: WearableProfile;
}

export interface PatientModelOptions {
  utcOffsetMinutes?: number;
  episodes?: PhysiologyEpisodes;
  /** For post-surgery patients: when the operation was (default: 10 days before `referenceMs`). */
  surgeryMs?: number;
  /** An instant near the simulated window, to place the operation of a post-surgery patient. */
  referenceMs?: number;
}

/**
 * Draws a patient's individual parameters from the seed: two patients of the same profile differ, the
 * same seed always gives the same patient. Ranges follow docs/clinical-references.md: a well-controlled diabetic keeps
 * time in range 70-180 above 70%; the unstable one has hypos and highs; the hypertensive's home mean sits
 * above 135/85; the post-surgery patient is normotensive with a resting heart rate that settles.
 */
export function createPatientModel(profile: PatientProfile, seed: string, options: PatientModelOptions = {}): PatientModel {
  const random = new Random(seed, 'patient');
  const clock = { utcOffsetMinutes: options.utcOffsetMinutes ?? 0 };
  const episodes = options.episodes;
  const unstable = profile === 'diabetes-unstable';
  const glucose: GlucoseProfile = {
    ...clock,
    seed,
    fastingMgDl: unstable ? random.between(105, 125) : profile === 'diabetes-meter' ? random.between(110, 135) : random.between(100, 120),
    dawnRiseMgDl: random.between(12, 28),
    mealRiseMgDl: unstable ? [80, 160] : [45, 90],
    driftMgDl: unstable ? 42 : 16,
    hypoEpisodesPerWeek: unstable ? 3.5 : 0.3,
    missedBolusPerWeek: unstable ? 2 : 0.2,
    excursions: episodes?.glucoseExcursions ?? [],
    extraMeterChecksMs: episodes?.meterChecksMs ?? [],
  };
  const hypertensive = profile === 'hypertension';
  const bloodPressure: BloodPressureProfile = {
    ...clock,
    seed,
    systolic: hypertensive ? random.between(142, 152) : random.between(116, 126),
    diastolic: hypertensive ? random.between(88, 94) : random.between(72, 80),
    pulse: random.between(64, 78),
    adherence: random.between(0.85, 0.97),
    driftMmHg: hypertensive ? 7 : 4,
    crisesMs: episodes?.bloodPressureCrisesMs ?? [],
  };
  const wearable: WearableProfile = {
    ...clock,
    seed,
    restingHeartRate: random.between(62, 74),
    spo2Baseline: random.between(96.5, 98),
    walksPerDay: profile === 'post-surgery' ? 3 : 2,
    surgeryMs: profile === 'post-surgery' ? (options.surgeryMs ?? (options.referenceMs ?? 0) - 10 * DAY_MS) : undefined,
  };
  return { profile, glucose: new GlucoseModel(glucose), bloodPressure, wearable };
}

/** What a device of this kind, worn by this patient, measures in (fromMs, toMs], oldest first. */
export function deviceReadings(patient: PatientModel, kind: DeviceKind, deviceKey: string, fromMs: number, toMs: number): TimedReading[] {
  switch (kind) {
    case 'cgm':
      return cgmReadings(patient.glucose, deviceKey, fromMs, toMs);
    case 'glucose_meter':
      return meterReadings(patient.glucose, deviceKey, fromMs, toMs);
    case 'blood_pressure_cuff':
      return bloodPressureReadings(patient.bloodPressure, deviceKey, fromMs, toMs);
    case 'wearable':
      return wearableReadings(patient.wearable, deviceKey, fromMs, toMs);
    case 'pulse_oximeter':
      // A finger oximeter reports saturation (and pulse); the wearable model's SpO2 stands in for it.
      return wearableReadings(patient.wearable, deviceKey, fromMs, toMs).filter(({ reading }) => reading.metric === 'spo2');
  }
}
