import type { DeviceReading } from '@rpm/contracts';
import type { OutgoingMessage } from './outgoing-message';

/** A measuredAt without a time zone, which protocol v1 refuses (docs/device-protocol.md, "Timestamps"). */
const withoutZone = (iso: string) => iso.replace(/(\.\d+)?(Z|[+-]\d\d:\d\d)$/, '');

/** The same reading with a value the plausibility check refuses (docs/device-protocol.md, "Units"). */
function outOfRange(sample: DeviceReading): DeviceReading {
  switch (sample.metric) {
    case 'glucose':
      return { ...sample, value: 1500, unit: 'mg/dL' };
    case 'blood_pressure':
      return { ...sample, systolic: 80, diastolic: 95, unit: 'mmHg' };
    case 'heart_rate':
      return { ...sample, value: 350 };
    case 'spo2':
      return { ...sample, value: 40 };
    case 'steps':
      return { metric: 'heart_rate', value: 350, unit: 'bpm', measuredAt: sample.measuredAt, seq: sample.seq };
  }
}

/** A copy that breaks the schema of the sample's metric: a non-positive value (or a negative step count). */
function schemaViolation(sample: DeviceReading): Record<string, unknown> {
  return sample.metric === 'blood_pressure' ? { ...sample, systolic: -5 } : { ...sample, value: -5 };
}

/**
 * The bad-payloads scenario: messages a faulty firmware could send, each with the rejection code the
 * gateway must answer on the reply topic. `sample` is a genuine reading of the device; the one valid item
 * of the partial batch is that reading, which the device also sends in its stream (stored once).
 */
export function badPayloadMessages(sample: DeviceReading, sampleKey: string): OutgoingMessage[] {
  const bad = (payload: string, expected: OutgoingMessage['items'][number]['expected']): OutgoingMessage => ({
    payload,
    items: [{ expected }],
    label: 'bad-payload',
  });
  return [
    bad(`{"metric":"${sample.metric}","value":`, 'malformed_json'),
    bad(JSON.stringify({ ...sample, measuredAt: withoutZone(sample.measuredAt) }), 'invalid_payload'),
    bad(JSON.stringify({ ...sample, battery: 80 }), 'invalid_payload'),
    bad(JSON.stringify({ metric: 'body_weight', value: 82.5, unit: 'kg', measuredAt: sample.measuredAt }), 'unknown_metric'),
    bad(JSON.stringify(outOfRange(sample)), 'out_of_range'),
    {
      payload: JSON.stringify({ readings: [sample, schemaViolation(sample)] }),
      items: [{ metric: sample.metric, key: sampleKey }, { expected: 'invalid_payload' }],
      label: 'bad-payload',
    },
  ];
}
