import type { NormalizedReading } from '@rpm/contracts';
import { deviceReceiptsTopic } from '@rpm/contracts';
import type { BrokerPublisher } from '../broker/broker-publisher';
import type { GatewayConfig } from '../gateway.config';
import { ReceiptPublisher } from './receipt-publisher';

/** What the broker was asked to publish; only the devices in `listening` subscribed to their receipts. */
class RecordingBroker implements BrokerPublisher {
  readonly isUp = true;
  readonly published: { topic: string; receipt: Record<string, unknown> }[] = [];
  constructor(private readonly listening: ReadonlySet<string>) {}
  wantsReceipts(deviceId: string): boolean {
    return this.listening.has(deviceId);
  }
  async publish(topic: string, payload: string): Promise<void> {
    this.published.push({ topic, receipt: JSON.parse(payload) as Record<string, unknown> });
  }
}

const reading = (deviceId: string, minute: number): NormalizedReading => ({
  patientId: '00000000-0000-4000-8000-000000000001',
  deviceId,
  metric: 'glucose',
  measuredAt: new Date(Date.UTC(2026, 10, 30, 8, minute)).toISOString(),
  receivedAt: new Date(Date.UTC(2026, 10, 30, 9)).toISOString(),
  seq: minute,
  unit: 'mg/dL',
  values: { glucose: 110 },
  original: { unit: 'mg/dL', values: { glucose: 110 } },
  context: {},
});

describe('ReceiptPublisher: receipts only where a session listens for them', () => {
  it('publishes the counts to a device subscribed to its receipts, and nothing for one that never asked', async () => {
    const broker = new RecordingBroker(new Set(['listening-meter']));
    const receipts = new ReceiptPublisher(broker, { deviceReceipts: true } as GatewayConfig);
    receipts.record([reading('listening-meter', 0), reading('silent-meter', 0), reading('listening-meter', 5)], new Set([2]));
    await receipts.flush();
    expect(broker.published).toEqual([
      {
        topic: deviceReceiptsTopic('listening-meter'),
        receipt: expect.objectContaining({ storedNew: 1, alreadyStored: 1, quarantined: 0 }),
      },
    ]);
  });

  it('publishes nothing at all with DEVICE_RECEIPTS=off', async () => {
    const broker = new RecordingBroker(new Set(['listening-meter']));
    const receipts = new ReceiptPublisher(broker, { deviceReceipts: false } as GatewayConfig);
    receipts.record([reading('listening-meter', 0)], new Set());
    await receipts.flush();
    expect(broker.published).toEqual([]);
  });
});
