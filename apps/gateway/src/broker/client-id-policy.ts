import { INTERNAL_SERVICE_USERNAME_PREFIX } from '@rpm/config';

/**
 * Which MQTT client id an authenticated client may use. The broker keys sessions (subscriptions, queued
 * QoS 1 replies) by client id and closes an older connection with the same id, so a client id not bound
 * to the credential would let one device take over another's session. A device uses exactly its device
 * id; an internal service uses an id that starts with its user name (`service:<name>`). Device ids are
 * letters, digits, `_` and `-`, so no device id can start with `service:`: the two never collide.
 */
export type ClientIdentity = { kind: 'device'; deviceId: string } | { kind: 'service'; username: string };

/** Why this client id is not allowed for this identity, or undefined when it is. */
export function clientIdProblem(identity: ClientIdentity, clientId: string): string | undefined {
  if (identity.kind === 'device') {
    return clientId === identity.deviceId ? undefined : 'a device must connect with its device id as client id';
  }
  if (!identity.username.startsWith(INTERNAL_SERVICE_USERNAME_PREFIX)) return 'not a service user name';
  return clientId.startsWith(identity.username) ? undefined : `an internal service must use a client id starting with ${identity.username}`;
}

/**
 * MQTT 3.1.1 [MQTT-3.1.3-8]: a zero-byte client id with CleanSession 0 is refused with CONNACK 0x02
 * (identifier rejected): there is no id to keep the session under.
 */
export function emptyClientIdProblem(requestedClientId: string, clean: boolean): string | undefined {
  return requestedClientId === '' && !clean ? 'an empty client id needs clean session 1 [MQTT-3.1.3-8]' : undefined;
}
