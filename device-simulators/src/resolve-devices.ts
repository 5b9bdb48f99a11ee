import { profileForIndex } from './cohort/patient-profile';
import { groupByPatient, type ProvisionedDevice } from './cohort/simulated-patient';
import type { CliOptions } from './cli-options';
import { provisionThroughApi } from './provisioning/api-provisioner';
import { readDevicesFile, writeDevicesFile } from './provisioning/devices-file';

/** The demo meter README.md publishes (scripts/demo-seed.ts), for a run with no devices given. */
const DEMO_METER: ProvisionedDevice = { deviceId: 'demo-glucose-meter', secret: 'demo-device-secret', kind: 'glucose_meter', profile: 'diabetes-meter' };

const DEFAULT_PATIENTS = 3;

/** The device credentials to play: from the --devices file, provisioned through the API, or the demo meter. */
export async function resolveDevices(options: CliOptions, log: (line: string) => void): Promise<ProvisionedDevice[]> {
  const { source } = options;
  if (source.kind === 'demo') return [DEMO_METER];
  if (source.kind === 'file') {
    const groups = groupByPatient(await readDevicesFile(source.file));
    const chosen = options.patients === undefined ? groups : groups.slice(0, options.patients);
    if (options.patients !== undefined && options.patients > groups.length) log(`${source.file} has ${groups.length} patient(s); simulating all of them`);
    return chosen.flatMap((group) => group.devices.map((device) => (options.profile ? { ...device, profile: options.profile } : device)));
  }
  const count = options.patients ?? DEFAULT_PATIENTS;
  const profiles = Array.from({ length: count }, (_, index) => options.profile ?? profileForIndex(index));
  log(`provisioning ${count} patient(s) through ${source.apiUrl} ...`);
  const devices = await provisionThroughApi({
    apiUrl: source.apiUrl,
    adminEmail: source.adminEmail,
    adminPassword: source.adminPassword,
    careTeamId: source.careTeamId,
    profiles,
    label: new Date().toISOString().slice(0, 16),
  });
  await writeDevicesFile(source.saveFile, devices);
  log(`provisioned ${devices.length} device(s); credentials saved to ${source.saveFile} (rerun with --devices ${source.saveFile})`);
  return devices;
}
