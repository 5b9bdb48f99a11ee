import { EARLIEST_MEASURED_AT, MAX_BATCH_SIZE, MAX_FUTURE_SKEW_MS } from '@rpm/contracts';
import { parseDeviceMessage } from './parse-device-message';

const receivedAt = new Date('2026-11-22T08:00:00.000Z');
const origin = { deviceId: 'meter-1', patientId: '7f1c2e2a-5a8e-4d55-9c43-0d6d1c1d0a11', receivedAt };
const at = '2026-11-22T07:59:00Z';
const parse = (body: unknown) => parseDeviceMessage(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), origin);

describe('parseDeviceMessage', () => {
  it.each([
    [
      'glucose meter, mg/dL',
      { metric: 'glucose', value: 112, unit: 'mg/dL', source: 'meter', mealContext: 'fasting', measuredAt: at },
      { value: 112 },
      'mg/dL',
    ],
    [
      'CGM, mmol/L converted (x 18.0156)',
      { metric: 'glucose', value: 5.5, unit: 'mmol/L', source: 'cgm', trend: 'steady', measuredAt: at },
      { value: 99.1 },
      'mg/dL',
    ],
    [
      'blood pressure, kPa converted (x 7.50062)',
      { metric: 'blood_pressure', systolic: 16, diastolic: 10.7, pulse: 72, unit: 'kPa', measuredAt: at },
      { systolic: 120, diastolic: 80.3, pulse: 72 },
      'mmHg',
    ],
    ['heart rate', { metric: 'heart_rate', value: 64, unit: 'bpm', measuredAt: at }, { value: 64 }, 'bpm'],
    ['SpO2', { metric: 'spo2', value: 97, unit: '%', measuredAt: at }, { value: 97 }, '%'],
    ['steps', { metric: 'steps', value: 5230, unit: 'steps', periodSeconds: 3600, measuredAt: at }, { value: 5230 }, 'steps'],
  ])('accepts a %s reading in canonical units, keeping the original', (_name, payload, values, unit) => {
    const { accepted, rejected } = parse(payload);
    expect(rejected).toEqual([]);
    expect(accepted).toEqual([
      expect.objectContaining({
        deviceId: 'meter-1',
        patientId: origin.patientId,
        metric: payload.metric,
        measuredAt: '2026-11-22T07:59:00.000Z',
        receivedAt: '2026-11-22T08:00:00.000Z',
        unit,
        values,
        original: expect.objectContaining({ unit: payload.unit }),
      }),
    ]);
  });

  it('takes identity from the connection, never from the payload', () => {
    const { accepted, rejected } = parse({ metric: 'heart_rate', value: 64, unit: 'bpm', measuredAt: at, deviceId: 'someone-else' });
    expect(accepted).toEqual([]);
    expect(rejected).toEqual([expect.objectContaining({ code: 'invalid_payload' })]);
  });

  it.each([
    ['not JSON', '{"metric":', 'malformed_json'],
    ['an unknown metric', { metric: 'weight', value: 80, unit: 'kg', measuredAt: at }, 'unknown_metric'],
    ['a missing unit', { metric: 'glucose', value: 112, source: 'meter', measuredAt: at }, 'invalid_payload'],
    ['a string value', { metric: 'glucose', value: '112', unit: 'mg/dL', source: 'meter', measuredAt: at }, 'invalid_payload'],
    ['a time without zone', { metric: 'heart_rate', value: 64, unit: 'bpm', measuredAt: '2026-11-22T07:59:00' }, 'invalid_payload'],
    ['glucose 5 mg/dL (implausible)', { metric: 'glucose', value: 5, unit: 'mg/dL', source: 'meter', measuredAt: at }, 'out_of_range'],
    ['systolic below diastolic', { metric: 'blood_pressure', systolic: 70, diastolic: 90, unit: 'mmHg', measuredAt: at }, 'out_of_range'],
    ['an empty batch', { readings: [] }, 'invalid_payload'],
    ['a batch over the limit', { readings: Array.from({ length: MAX_BATCH_SIZE + 1 }, () => ({})) }, 'batch_too_large'],
  ])('rejects %s with a machine-readable reason', (_name, payload, code) => {
    const { accepted, rejected } = parse(payload);
    expect(accepted).toEqual([]);
    expect(rejected).toEqual([expect.objectContaining({ index: 0, code, message: expect.any(String) })]);
  });

  it('rejects a reading more than the allowed skew in the future, and accepts one just inside it', () => {
    const tooFar = new Date(receivedAt.getTime() + MAX_FUTURE_SKEW_MS + 1000).toISOString();
    const justInside = new Date(receivedAt.getTime() + MAX_FUTURE_SKEW_MS).toISOString();
    expect(parse({ metric: 'heart_rate', value: 64, unit: 'bpm', measuredAt: tooFar }).rejected).toEqual([
      expect.objectContaining({ code: 'future_timestamp' }),
    ]);
    expect(parse({ metric: 'heart_rate', value: 64, unit: 'bpm', measuredAt: justInside }).accepted).toHaveLength(1);
  });

  it('rejects a reading before the earliest accepted time (an unset clock, or what a store cannot hold), and accepts one at it', () => {
    for (const measuredAt of ['0001-01-01T00:00:00+14:00', '1970-01-01T00:00:00Z', '1999-12-31T23:59:59.999Z']) {
      expect(parse({ metric: 'heart_rate', value: 70, unit: 'bpm', measuredAt, seq: 1 }).rejected).toEqual([
        expect.objectContaining({ index: 0, code: 'timestamp_too_old', message: expect.stringContaining(EARLIEST_MEASURED_AT) }),
      ]);
    }
    expect(parse({ metric: 'heart_rate', value: 70, unit: 'bpm', measuredAt: EARLIEST_MEASURED_AT }).accepted).toHaveLength(1);
  });

  it('keeps the valid readings of a batch and reports each invalid one by its index', () => {
    const { accepted, rejected } = parse({
      readings: [
        { metric: 'heart_rate', value: 64, unit: 'bpm', measuredAt: at, seq: 1 },
        { metric: 'heart_rate', value: -1, unit: 'bpm', measuredAt: at, seq: 2 },
        { metric: 'spo2', value: 96, unit: '%', measuredAt: at, seq: 3 },
        'nonsense',
      ],
    });
    expect(accepted.map((reading) => reading.seq)).toEqual([1, 3]);
    expect(rejected.map((item) => [item.index, item.code])).toEqual([
      [1, 'invalid_payload'],
      [3, 'invalid_payload'],
    ]);
  });
});
