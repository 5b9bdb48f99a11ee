import { deviceReadingSchema, readingBatchSchema } from '@rpm/contracts';
import { createPatientModel } from '../cohort/patient-model';
import { HOUR_MS } from '../physiology/clock';
import { DeviceScript } from './device-script';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const patient = createPatientModel('diabetes-cgm', 'spec:patient');
const device = { deviceId: 'cgm-1', kind: 'cgm' as const };
const readingsOf = (payload: string): unknown[] => {
  const parsed = JSON.parse(payload) as { readings?: unknown[] };
  return parsed.readings ?? [parsed];
};

describe('DeviceScript: the messages a device sends', () => {
  it('sends history as protocol v1 batches of the requested size, every item a valid reading', () => {
    const messages = new DeviceScript(device, patient, {}, 100).messagesFor(NOW - 24 * HOUR_MS, NOW, NOW, 'batch');
    expect(messages.map((message) => message.items.length)).toEqual([100, 100, 88]);
    for (const message of messages) {
      expect(readingBatchSchema.safeParse(JSON.parse(message.payload)).success).toBe(true);
      for (const item of readingsOf(message.payload)) expect(deviceReadingSchema.safeParse(item).success).toBe(true);
    }
  });

  it('offline-backfill: holds the readings of the gap and sends them as one batch, oldest first, once the device is back', () => {
    const offline = { fromMs: NOW - 6 * HOUR_MS, toMs: NOW - 2 * HOUR_MS };
    const messages = new DeviceScript(device, patient, { offline }, 500).messagesFor(NOW - 12 * HOUR_MS, NOW, NOW, 'batch');
    expect(messages.map((message) => [message.label, message.items.length])).toEqual([
      ['readings', 72],
      ['offline-backfill', 48],
      ['readings', 24],
    ]);
    const times = readingsOf(messages[1].payload).map((item) => Date.parse((item as { measuredAt: string }).measuredAt));
    expect(times).toEqual([...times].sort());
    expect(Math.min(...times)).toBeGreaterThan(offline.fromMs);
    expect(Math.max(...times)).toBeLessThanOrEqual(offline.toMs);
  });

  it('clock-skew: a clock 2 h ahead sends future measuredAt values, expected to be refused past the 5 min tolerance', () => {
    const messages = new DeviceScript(device, patient, { clockSkew: { fromMs: NOW - HOUR_MS, skewMs: 2 * HOUR_MS } }, 1).messagesFor(
      NOW - 2 * HOUR_MS,
      NOW,
      NOW,
      'single',
    );
    const expected = messages.filter((message) => message.items[0].expected === 'future_timestamp');
    // Readings after NOW-1h are sent 2 h ahead: all of the last hour (12 CGM readings) are > 5 min in the future.
    expect(expected).toHaveLength(12);
    expect(messages).toHaveLength(24);
  });

  it('duplicates: sends the first and every 5th message twice, with identical payloads', () => {
    const messages = new DeviceScript(device, patient, { duplicateEvery: 5 }, 1).messagesFor(NOW - HOUR_MS, NOW, NOW, 'single');
    const duplicates = messages.filter((message) => message.label === 'duplicate');
    expect(duplicates).toHaveLength(3);
    expect(messages[1].payload).toBe(messages[0].payload);
  });

  it('bad-payloads: one message per rejection code a firmware bug could earn', () => {
    const opening = new DeviceScript(device, patient, { badPayloads: true }, 100).openingMessages(NOW);
    expect(opening.flatMap((message) => message.items.map((item) => item.expected ?? 'valid'))).toEqual([
      'malformed_json',
      'invalid_payload',
      'invalid_payload',
      'unknown_metric',
      'out_of_range',
      'valid',
      'invalid_payload',
    ]);
    expect(() => JSON.parse(opening[0].payload)).toThrow();
  });
});
