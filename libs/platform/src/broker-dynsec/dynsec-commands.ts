import { DEVICE_ID_PATTERN, deviceReadingsTopic, deviceReceiptsTopic, deviceRepliesTopic } from '@rpm/contracts';

/**
 * Commands of Mosquitto's dynamic-security plugin (JSON on `$CONTROL/dynamic-security/v1`), built
 * without I/O. Each device gets a client (username = device id) and a role of its own: Mosquitto 2.0's
 * dynsec ACLs match topics literally (no %u substitution), so "its own topics only" takes one role
 * per device.
 */
export const DYNSEC_CONTROL_TOPIC = '$CONTROL/dynamic-security/v1';
export const DYNSEC_RESPONSE_TOPIC = '$CONTROL/dynamic-security/v1/response';

/** Roles of devices the platform manages start with this; reconciliation touches no other client. */
export const DEVICE_ROLE_PREFIX = 'rpm-device-';
export const DEVICE_CLIENT_TEXT_NAME = 'rpm device (managed by the platform)';

export type DynsecCommand = { command: string } & Record<string, unknown>;
export interface DynsecResponse {
  command: string;
  error?: string;
  data?: unknown;
  correlationData?: string;
}

export const deviceRoleName = (deviceId: string): string => `${DEVICE_ROLE_PREFIX}${deviceId}`;

export function assertDeviceId(deviceId: string): void {
  if (!DEVICE_ID_PATTERN.test(deviceId)) throw new Error(`not a device id a broker username can carry: ${JSON.stringify(deviceId)}`);
}

/**
 * The device's role: publish its readings; subscribe to and receive its replies and receipts. Nothing
 * else (the broker's defaultACLAccess denies what no role allows).
 */
export function deviceRoleAcls(deviceId: string): { acltype: string; topic: string; allow: true }[] {
  const own = [deviceRepliesTopic(deviceId), deviceReceiptsTopic(deviceId)];
  return [
    { acltype: 'publishClientSend', topic: deviceReadingsTopic(deviceId), allow: true },
    ...own.flatMap((topic) => [
      { acltype: 'subscribeLiteral', topic, allow: true as const },
      { acltype: 'publishClientReceive', topic, allow: true as const },
    ]),
  ];
}

export function createDeviceCommands(deviceId: string, password: string): DynsecCommand[] {
  assertDeviceId(deviceId);
  const rolename = deviceRoleName(deviceId);
  return [
    { command: 'createRole', rolename, acls: deviceRoleAcls(deviceId) },
    { command: 'createClient', username: deviceId, password, textname: DEVICE_CLIENT_TEXT_NAME, roles: [{ rolename }] },
  ];
}

/** For a client that already exists (a retried request): same password and role, enabled. */
export function resetDeviceCommands(deviceId: string, password: string): DynsecCommand[] {
  assertDeviceId(deviceId);
  return [
    { command: 'setClientPassword', username: deviceId, password },
    { command: 'addClientRole', username: deviceId, rolename: deviceRoleName(deviceId) },
    { command: 'enableClient', username: deviceId },
  ];
}

/** Deleting the client also disconnects a device that is connected with it (MQTT 5 reason 0x98). */
export function removeDeviceCommands(deviceId: string): DynsecCommand[] {
  assertDeviceId(deviceId);
  return [
    { command: 'deleteClient', username: deviceId },
    { command: 'deleteRole', rolename: deviceRoleName(deviceId) },
  ];
}

/** "Not found" answers to a removal mean it is already done (another API instance got there first). */
export const isAlreadyGone = (response: DynsecResponse): boolean => /not found/i.test(response.error ?? '');
export const isAlreadyThere = (response: DynsecResponse): boolean => /already exists/i.test(response.error ?? '');

export interface DynsecClientEntry {
  username: string;
  roles?: { rolename: string }[];
}

/** A client the platform created for a device: its role carries the device prefix and its own name. */
export const isManagedDeviceClient = (client: DynsecClientEntry): boolean =>
  (client.roles ?? []).some((role) => role.rolename === deviceRoleName(client.username));

export interface ReconcilePlan {
  /** Managed clients whose device is revoked or gone: delete them (and kick their connections). */
  remove: string[];
  /** Active devices with no broker client: their secret is stored only hashed, so they need re-pairing. */
  missing: string[];
}

/**
 * What to change so the broker's device clients match PostgreSQL. The broker is never told about a
 * device it lacks (the plain secret is not kept), only reported.
 */
export function reconcilePlan(managedClients: Iterable<string>, activeDevices: Iterable<string>): ReconcilePlan {
  const active = new Set(activeDevices);
  const managed = new Set(managedClients);
  return {
    remove: [...managed].filter((id) => !active.has(id)).sort(),
    missing: [...active].filter((id) => !managed.has(id)).sort(),
  };
}
