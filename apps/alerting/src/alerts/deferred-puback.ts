import type { MqttClient } from 'mqtt';

/** What mqtt.js's handleMessage callback receives to skip its own PUBACK; any error value does, and nothing else happens with it. */
const DEFER = new Error('PUBACK deferred until the event is evaluated');

/**
 * mqtt.js sends a QoS 1 PUBACK when handleMessage calls back, and reads the next packet only then: one
 * event at a time, so an urgent reading waits behind every event before it. Calling back with an error
 * makes mqtt.js skip the PUBACK and go on to the next packet; `puback` sends it later, once the event is
 * evaluated (mqtt.js 5 has no public call for a late PUBACK). The broker redelivers whatever this
 * connection left unacknowledged, so at-least-once holds.
 */
export function deferPuback(callback: (error?: Error) => void): void {
  callback(DEFER);
}

export function puback(client: MqttClient, messageId: number): void {
  (client as unknown as { _sendPacket(packet: { cmd: 'puback'; messageId: number }): void })._sendPacket({ cmd: 'puback', messageId });
}
