import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { SIMULATED_DEVICE_KINDS, type DeviceKind } from '../cohort/device-kind';
import { PATIENT_PROFILES } from '../cohort/patient-profile';
import { SCENARIOS } from '../scenarios/scenario-names';
import type { ProvisionedDevice } from '../cohort/simulated-patient';

/** The --devices file: the credentials the simulator plays, as provisioning writes them. */
export const devicesFileSchema = z
  .array(
    z
      .object({
        patientId: z.string().min(1).optional(),
        deviceId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and -, at most 64'),
        secret: z.string().min(1),
        kind: z.enum(SIMULATED_DEVICE_KINDS as [DeviceKind, ...DeviceKind[]]),
        profile: z.enum(PATIENT_PROFILES).optional(),
        scenarios: z.array(z.enum(SCENARIOS)).optional(),
      })
      .strict(),
  )
  .min(1, 'lists no device');

export async function readDevicesFile(file: string): Promise<ProvisionedDevice[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read --devices ${file}: ${(error as Error).message}`);
  }
  const parsed = devicesFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`--devices ${file}: ${issue.path.join('.') || 'file'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Written readable by the owner only: the file holds device secrets. */
export async function writeDevicesFile(file: string, devices: readonly ProvisionedDevice[]): Promise<void> {
  await writeFile(file, `${JSON.stringify(devices, null, 2)}\n`, { mode: 0o600 });
}
