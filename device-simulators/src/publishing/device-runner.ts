import type { DeviceReceipt, DeviceReply } from '@rpm/contracts';
import { SimulatedDevice, type DeviceCredential } from '../simulated-device';
import type { OutgoingMessage } from './outgoing-message';
import type { SentMessage } from './tally';

/**
 * The gateway allows DEVICE_MAX_MESSAGES_PER_SECOND (default 20, docs/configuration.md) per device and
 * disconnects a device above it; the simulator stays well below.
 */
const MIN_GAP_MS = 70;
const PUBACK_TIMEOUT_MS = 30_000;

/**
 * One device's connection and its outgoing queue: one message in flight at a time, as the protocol advises
 * for matching replies to messages (a reply does not name its message; the embedded broker delivers it
 * before the PUBACK). Replies that arrive when nothing was sent yet are left over from an earlier session.
 */
export class DeviceRunner {
  readonly sent: SentMessage[] = [];
  strayReplies = 0;
  /** What the gateway's receipts said about this run's readings (receipts before the first PUBACK are an earlier run's). */
  readonly receipts = { storedNew: 0, alreadyStored: 0, quarantined: 0, stray: 0 };
  private acknowledgedOnce = false;
  private queue: Promise<void> = Promise.resolve();
  private lastPublishAt = 0;

  private constructor(readonly deviceId: string) {}

  private device!: SimulatedDevice;

  static async connect(brokerUrl: string, credential: DeviceCredential): Promise<DeviceRunner> {
    const runner = new DeviceRunner(credential.deviceId);
    // Reconnect after a drop: the MQTT library resends the unacknowledged message of the persistent session.
    runner.device = await SimulatedDevice.connect(brokerUrl, credential, {
      onReply: (reply) => runner.onReply(reply),
      onReceipt: (receipt) => runner.onReceipt(receipt),
      reconnectPeriodMs: 1000,
    });
    return runner;
  }

  private onReply(reply: DeviceReply): void {
    const last = this.sent.at(-1);
    if (!last || last.reply) this.strayReplies++;
    else last.reply = reply;
  }

  private onReceipt(receipt: DeviceReceipt): void {
    if (!this.acknowledgedOnce) {
      this.receipts.stray++;
      return;
    }
    this.receipts.storedNew += receipt.storedNew;
    this.receipts.alreadyStored += receipt.alreadyStored;
    this.receipts.quarantined += receipt.quarantined;
  }

  /** Readings the receipts have accounted for so far. */
  get readingsReceipted(): number {
    return this.receipts.storedNew + this.receipts.alreadyStored + this.receipts.quarantined;
  }

  /** Queues the messages; resolves when all of them are acknowledged (or timed out). */
  publish(messages: readonly OutgoingMessage[], onAcknowledged?: (message: OutgoingMessage) => void): Promise<void> {
    this.queue = this.queue.then(async () => {
      for (const message of messages) {
        const wait = this.lastPublishAt + MIN_GAP_MS - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        this.lastPublishAt = Date.now();
        const record: SentMessage = { deviceId: this.deviceId, label: message.label, items: message.items, acknowledged: false };
        this.sent.push(record);
        record.acknowledged = await withTimeout(this.device.publish(message.payload), PUBACK_TIMEOUT_MS);
        if (record.acknowledged) this.acknowledgedOnce = true;
        onAcknowledged?.(message);
      }
    });
    return this.queue;
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.device.close();
  }
}

async function withTimeout(acknowledged: Promise<void>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([acknowledged.then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
