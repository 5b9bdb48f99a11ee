import { connectAsync, type MqttClient } from 'mqtt';
import type { DeviceCredential } from '../device-simulators/src/simulated-device';

const WAVE = 500;

/**
 * Connects devices that then stay idle (keepalive only), in waves: each connection is one file descriptor
 * here and one in the gateway, and a burst of thousands of simultaneous CONNECTs is a storm no real fleet
 * of this size produces at once.
 */
export async function connectIdleFleet(brokerUrl: string, devices: DeviceCredential[]): Promise<MqttClient[]> {
  const clients: MqttClient[] = [];
  for (let start = 0; start < devices.length; start += WAVE) {
    const wave = devices.slice(start, start + WAVE);
    clients.push(
      ...(await Promise.all(
        wave.map((device) =>
          connectAsync(brokerUrl, {
            protocolVersion: 4,
            clientId: device.deviceId,
            username: device.deviceId,
            password: device.secret,
            keepalive: 300,
            reconnectPeriod: 0,
            connectTimeout: 30_000,
          }),
        ),
      )),
    );
  }
  return clients;
}

export async function disconnectIdleFleet(clients: MqttClient[]): Promise<void> {
  for (let start = 0; start < clients.length; start += WAVE) {
    await Promise.all(clients.slice(start, start + WAVE).map((client) => client.endAsync(true)));
  }
}
