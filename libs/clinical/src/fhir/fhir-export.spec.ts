import type { DeviceReading } from '@rpm/contracts';
import { normalizeReading } from '../normalize-reading';
import { toFlag, toObservation } from './fhir-export';

function normalized(device: DeviceReading) {
  const result = normalizeReading(device);
  if (!result.ok) throw new Error(result.message);
  return {
    patientId: '7f1c2e2a-5a8e-4d55-9c43-0d6d1c1d0a11',
    deviceId: 'dev-1',
    metric: device.metric,
    measuredAt: '2026-11-22T07:00:00.000Z',
    receivedAt: '2026-11-22T07:00:01.000Z',
    seq: 4,
    ...result.reading,
  };
}
const at = '2026-11-22T07:00:00Z';

describe('FHIR R4 export: LOINC codes and UCUM units (CLINICAL.md)', () => {
  it.each([
    [{ metric: 'glucose', value: 5.5, unit: 'mmol/L', source: 'meter', measuredAt: at }, '41653-7', { value: 99.1, code: 'mg/dL' }],
    [{ metric: 'glucose', value: 120, unit: 'mg/dL', source: 'cgm', measuredAt: at }, '99504-3', { value: 120, code: 'mg/dL' }],
    [{ metric: 'heart_rate', value: 64, unit: 'bpm', measuredAt: at }, '8867-4', { value: 64, code: '/min' }],
    [{ metric: 'spo2', value: 96, unit: '%', measuredAt: at }, '59408-5', { value: 96, code: '%' }],
    [{ metric: 'steps', value: 4200, unit: 'steps', measuredAt: at }, '55423-8', { value: 4200, code: '{steps}' }],
  ] as const)('%j -> LOINC %s', (device, loinc, value) => {
    const observation = toObservation(normalized(device as DeviceReading));
    expect(observation.code.coding[0]).toEqual(expect.objectContaining({ system: 'http://loinc.org', code: loinc }));
    expect(observation.valueQuantity).toEqual(expect.objectContaining({ ...value, system: 'http://unitsofmeasure.org' }));
    expect(observation).toEqual(
      expect.objectContaining({ resourceType: 'Observation', status: 'final', subject: { reference: 'Patient/7f1c2e2a-5a8e-4d55-9c43-0d6d1c1d0a11' } }),
    );
  });

  it('exports blood pressure as the 85354-9 panel with systolic, diastolic and pulse components in mm[Hg] and /min', () => {
    const observation = toObservation(normalized({ metric: 'blood_pressure', systolic: 16, diastolic: 10.7, pulse: 70, unit: 'kPa', measuredAt: at }));
    expect(observation.code.coding[0].code).toBe('85354-9');
    expect(observation.component?.map((part) => [part.code.coding[0].code, part.valueQuantity.value, part.valueQuantity.code])).toEqual([
      ['8480-6', 120, 'mm[Hg]'],
      ['8462-4', 80.3, 'mm[Hg]'],
      ['8867-4', 70, '/min'],
    ]);
  });

  it('exports alerts as Flags, inactive once resolved', () => {
    const alert = { id: 'a1', patientId: 'p1', title: 'Level 2 hypoglycaemia', reason: 'glucose 48 mg/dL', status: 'open', openedAt: at };
    expect(toFlag(alert)).toEqual(
      expect.objectContaining({ resourceType: 'Flag', status: 'active', code: { text: 'Level 2 hypoglycaemia: glucose 48 mg/dL' } }),
    );
    expect(toFlag({ ...alert, status: 'resolved' }).status).toBe('inactive');
  });
});
