import type { DeviceReading } from '@rpm/contracts';
import { normalizeReading } from '../normalize-reading';
import { searchBundle, toFlag, toObservation } from './fhir-export';

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

describe('FHIR R4 export: LOINC codes and UCUM units (docs/clinical-references.md)', () => {
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

  it('exports alerts as Flags, inactive once resolved, the title said once', () => {
    const id = '3f0c1a52-6f7e-4b7e-9a53-2d0f6c9e1a10';
    // Rule reasons open with the rule's title: the Flag's text is the reason, not "title: title: ...".
    const alert = {
      id,
      patientId: 'p1',
      title: 'Hypertensive crisis',
      reason: 'Hypertensive crisis: blood_pressure systolic 192 mmHg is above 180 mmHg',
      status: 'open',
      openedAt: at,
    };
    expect(toFlag(alert)).toEqual(
      expect.objectContaining({
        resourceType: 'Flag',
        id,
        status: 'active',
        code: { text: 'Hypertensive crisis: blood_pressure systolic 192 mmHg is above 180 mmHg' },
      }),
    );
    expect(toFlag({ ...alert, reason: 'glucose 48 mg/dL', title: 'Level 2 hypoglycaemia' }).code.text).toBe('Level 2 hypoglycaemia: glucose 48 mg/dL');
    expect(toFlag({ ...alert, status: 'resolved' }).status).toBe('inactive');
  });
});

describe('FHIR R4 categories, ids, periods and Bundle entries', () => {
  const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
  it.each([
    // HL7 CGM IG: CGM glucose is a laboratory observation; steps are activity; BP, heart rate and SpO2 vital signs.
    [{ metric: 'glucose', value: 120, unit: 'mg/dL', source: 'cgm', measuredAt: at }, 'laboratory'],
    [{ metric: 'glucose', value: 120, unit: 'mg/dL', source: 'meter', measuredAt: at }, 'laboratory'],
    [{ metric: 'steps', value: 4200, unit: 'steps', periodSeconds: 3600, measuredAt: at }, 'activity'],
    [{ metric: 'blood_pressure', systolic: 120, diastolic: 80, unit: 'mmHg', measuredAt: at }, 'vital-signs'],
    [{ metric: 'heart_rate', value: 64, unit: 'bpm', measuredAt: at }, 'vital-signs'],
    [{ metric: 'spo2', value: 96, unit: '%', measuredAt: at }, 'vital-signs'],
  ] as const)('%j is filed under %s', (device, code) => {
    expect(toObservation(normalized(device as DeviceReading)).category).toEqual([{ coding: [expect.objectContaining({ system: CATEGORY, code })] }]);
  });

  it('exports a CGM that measured in mmol/L under the molar code 105272-9 with the value it measured', () => {
    const observation = toObservation(normalized({ metric: 'glucose', value: 10.0, unit: 'mmol/L', source: 'cgm', measuredAt: at }));
    expect(observation.code.coding[0].code).toBe('105272-9');
    expect(observation.valueQuantity).toEqual({ value: 10, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' });
  });

  it('gives steps their counting period: the hour ending at measuredAt', () => {
    const observation = toObservation(normalized({ metric: 'steps', value: 1843, unit: 'steps', periodSeconds: 3600, measuredAt: at }));
    expect(observation.effectivePeriod).toEqual({ start: '2026-11-22T06:00:00.000Z', end: '2026-11-22T07:00:00.000Z' });
    expect(observation.effectiveDateTime).toBeUndefined();
  });

  it('gives readings of devices whose ids share the first 64 characters distinct, valid, stable ids (bdl-7)', () => {
    const prefix = 'manufacturer.example.org-continuous-glucose-monitor-serial-000000000';
    const readings = ['A', 'B'].map((suffix) => ({
      ...normalized({ metric: 'glucose', value: 120, unit: 'mg/dL', source: 'cgm', measuredAt: at }),
      deviceId: `${prefix}${suffix}`,
    }));
    const [a, b] = readings.map(toObservation);
    expect(a.id).not.toBe(b.id);
    // FHIR R4 id: [A-Za-z0-9\-\.]{1,64}.
    for (const id of [a.id, b.id]) expect(id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
    expect(toObservation(readings[0]).id).toBe(a.id);
    const bundle = searchBundle([a, b, a]);
    // fullUrl is the resource's identity, agreeing with its id; a repeated resource is listed once.
    expect(bundle.entry.map((entry) => entry.fullUrl)).toEqual([`urn:uuid:${a.id}`, `urn:uuid:${b.id}`]);
    expect(bundle.total).toBe(2);
  });
});
