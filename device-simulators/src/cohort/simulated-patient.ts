import type { DeviceKind } from './device-kind';
import type { Scenario } from '../scenarios/scenario-names';
import type { PatientProfile } from './patient-profile';

/** A device credential the simulator plays, as --devices files and the provisioner hold them. */
export interface ProvisionedDevice {
  patientId?: string;
  deviceId: string;
  secret: string;
  kind: DeviceKind;
  /** The patient's profile; guessed from the patient's device kinds when absent. */
  profile?: PatientProfile;
  /** Scenarios for this device's patient, on top of the run's own (--scenario). */
  scenarios?: Scenario[];
}

/** Devices grouped by patient; a device without a patient id is a patient of its own. */
export function groupByPatient(devices: readonly ProvisionedDevice[]): { patientKey: string; devices: ProvisionedDevice[] }[] {
  const groups = new Map<string, ProvisionedDevice[]>();
  for (const device of devices) {
    const key = device.patientId ?? `device:${device.deviceId}`;
    groups.set(key, [...(groups.get(key) ?? []), device]);
  }
  return [...groups].map(([patientKey, grouped]) => ({ patientKey, devices: grouped }));
}
