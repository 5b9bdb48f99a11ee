import type { DeviceKind } from './device-kind';

/**
 * The kinds of patient the simulator knows, and the devices each one carries:
 * diabetes on a CGM (well controlled or unstable with hypos), diabetes on a finger-stick meter,
 * hypertension with a home cuff, and recovery after surgery with a wearable and a cuff.
 */
export const PATIENT_PROFILES = ['diabetes-cgm', 'diabetes-unstable', 'diabetes-meter', 'hypertension', 'post-surgery'] as const;
export type PatientProfile = (typeof PATIENT_PROFILES)[number];

export const PROFILE_DEVICES: Record<PatientProfile, readonly DeviceKind[]> = {
  'diabetes-cgm': ['cgm'],
  'diabetes-unstable': ['cgm'],
  'diabetes-meter': ['glucose_meter'],
  hypertension: ['blood_pressure_cuff'],
  'post-surgery': ['wearable', 'blood_pressure_cuff'],
};

/** The programme a patient of this profile is enrolled in (POST /admin/patients). */
export const PROFILE_PROGRAMME: Record<PatientProfile, 'diabetes' | 'hypertension' | 'post_surgery'> = {
  'diabetes-cgm': 'diabetes',
  'diabetes-unstable': 'diabetes',
  'diabetes-meter': 'diabetes',
  hypertension: 'hypertension',
  'post-surgery': 'post_surgery',
};

/** `--patients N` cycles through this mix, so a small cohort already has every kind of patient. */
const COHORT_MIX: readonly PatientProfile[] = ['diabetes-cgm', 'hypertension', 'post-surgery', 'diabetes-meter', 'diabetes-unstable'];
export const profileForIndex = (index: number): PatientProfile => COHORT_MIX[index % COHORT_MIX.length];

/** A patient known only by devices (a --devices file without profiles): the profile their devices suggest. */
export function profileFromDeviceKinds(kinds: readonly DeviceKind[]): PatientProfile {
  if (kinds.includes('wearable') || kinds.includes('pulse_oximeter')) return 'post-surgery';
  if (kinds.includes('cgm')) return 'diabetes-cgm';
  if (kinds.includes('glucose_meter')) return 'diabetes-meter';
  return 'hypertension';
}
