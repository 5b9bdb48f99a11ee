import {
  deviceReadingsTopic,
  deviceReceiptSchema,
  deviceReceiptsTopic,
  deviceRepliesTopic,
  deviceReplySchema,
  type DeviceReading,
  type DeviceReceipt,
  type DeviceReply,
} from '@rpm/contracts';
import { connectAsync, type MqttClient } from 'mqtt';

export interface DeviceCredential {
  deviceId: string;
  secret: string;
}

export interface SimulatedDeviceOptions {
  /**
   * Receives every reply instead of queueing it for nextReply(): for a long-running simulator that counts
   * rejections and never asks for replies one by one.
   */
  onReply?: (reply: DeviceReply) => void;
  /** Receives every receipt (how many readings the store took new or already had); without it receipts are ignored. */
  onReceipt?: (receipt: DeviceReceipt) => void;
  /** Reconnect after a dropped connection (ms); 0, the default, fails fast as a test wants. */
  reconnectPeriodMs?: number;
}

/**
 * A virtual device speaking only the documented protocol v1: MQTT 3.1.1, username = client id = device id,
 * password = device secret, QoS 1 readings to its own topic, replies on its own reply topic, receipts on
 * its own receipts topic.
 */
export class SimulatedDevice {
  private readonly replies: DeviceReply[] = [];
  private readonly replyWaiters: ((reply: DeviceReply) => void)[] = [];

  private constructor(
    private readonly client: MqttClient,
    readonly deviceId: string,
    onReply?: (reply: DeviceReply) => void,
    onReceipt?: (receipt: DeviceReceipt) => void,
  ) {
    client.on('message', (topic, payload) => {
      if (topic === deviceReceiptsTopic(deviceId)) {
        onReceipt?.(deviceReceiptSchema.parse(JSON.parse(payload.toString())));
        return;
      }
      const reply = deviceReplySchema.parse(JSON.parse(payload.toString()));
      if (onReply) return onReply(reply);
      const waiter = this.replyWaiters.shift();
      if (waiter) waiter(reply);
      else this.replies.push(reply);
    });
  }

  static async connect(brokerUrl: string, credential: DeviceCredential, options: SimulatedDeviceOptions = {}): Promise<SimulatedDevice> {
    const client = await connectAsync(brokerUrl, {
      protocolVersion: 4,
      clientId: credential.deviceId,
      username: credential.deviceId,
      password: credential.secret,
      clean: false,
      reconnectPeriod: options.reconnectPeriodMs ?? 0,
    });
    // Subscribe before the first publish, as the protocol asks, so no reply is missed.
    const device = new SimulatedDevice(client, credential.deviceId, options.onReply, options.onReceipt);
    await client.subscribeAsync(deviceRepliesTopic(credential.deviceId), { qos: 1 });
    if (options.onReceipt) await client.subscribeAsync(deviceReceiptsTopic(credential.deviceId), { qos: 1 });
    return device;
  }

  /** Resolves when the gateway acknowledges (PUBACK): the reading is stored. */
  async publish(reading: DeviceReading | { readings: unknown[] } | string): Promise<void> {
    const payload = typeof reading === 'string' ? reading : JSON.stringify(reading);
    await this.client.publishAsync(deviceReadingsTopic(this.deviceId), payload, { qos: 1 });
  }

  /** The next reply the gateway sends on this device's reply topic. */
  nextReply(timeoutMs = 5000): Promise<DeviceReply> {
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply for ${this.deviceId} within ${timeoutMs} ms`)), timeoutMs);
      this.replyWaiters.push((reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
    });
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
