import type { NormalizedReading } from '@rpm/contracts';

/**
 * FHIR R4 resources for a patient's data. Codes from CLINICAL.md: LOINC for what was measured, UCUM for
 * units (http://unitsofmeasure.org).
 */
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';

interface Coding {
  system: string;
  code: string;
  display: string;
}
interface Quantity {
  value: number;
  unit: string;
  system: string;
  code: string;
}
export interface FhirObservation {
  resourceType: 'Observation';
  id: string;
  status: 'final';
  category: { coding: Coding[] }[];
  code: { coding: Coding[]; text: string };
  subject: { reference: string };
  effectiveDateTime: string;
  issued: string;
  device: { display: string };
  valueQuantity?: Quantity;
  component?: { code: { coding: Coding[] }; valueQuantity: Quantity }[];
}
export interface FhirFlag {
  resourceType: 'Flag';
  id: string;
  status: 'active' | 'inactive';
  category: { coding: Coding[] }[];
  code: { text: string };
  subject: { reference: string };
  period: { start: string };
}
export interface FhirBundle<T> {
  resourceType: 'Bundle';
  type: 'searchset';
  total: number;
  entry: { fullUrl: string; resource: T }[];
}

const loinc = (code: string, display: string): Coding => ({ system: LOINC, code, display });
const quantity = (value: number, unit: string, code = unit): Quantity => ({ value, unit, system: UCUM, code });
const VITAL_SIGNS = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs', display: 'Vital Signs' }] }];

function measurement(reading: NormalizedReading): Pick<FhirObservation, 'code' | 'valueQuantity' | 'component'> {
  switch (reading.metric) {
    case 'glucose': {
      const coding =
        reading.context.source === 'cgm'
          ? loinc('99504-3', 'Glucose [Mass/volume] in Interstitial fluid')
          : loinc('41653-7', 'Glucose [Mass/volume] in Capillary blood by Glucometer');
      return { code: { coding: [coding], text: 'Glucose' }, valueQuantity: quantity(reading.values.value, 'mg/dL') };
    }
    case 'blood_pressure': {
      const component = [
        { code: { coding: [loinc('8480-6', 'Systolic blood pressure')] }, valueQuantity: quantity(reading.values.systolic, 'mmHg', 'mm[Hg]') },
        { code: { coding: [loinc('8462-4', 'Diastolic blood pressure')] }, valueQuantity: quantity(reading.values.diastolic, 'mmHg', 'mm[Hg]') },
      ];
      if (reading.values.pulse !== undefined) {
        component.push({ code: { coding: [loinc('8867-4', 'Heart rate')] }, valueQuantity: quantity(reading.values.pulse, 'beats/minute', '/min') });
      }
      return { code: { coding: [loinc('85354-9', 'Blood pressure panel with all children optional')], text: 'Blood pressure' }, component };
    }
    case 'heart_rate':
      return { code: { coding: [loinc('8867-4', 'Heart rate')], text: 'Heart rate' }, valueQuantity: quantity(reading.values.value, 'beats/minute', '/min') };
    case 'spo2':
      return {
        code: {
          coding: [loinc('59408-5', 'Oxygen saturation in Arterial blood by Pulse oximetry'), loinc('2708-6', 'Oxygen saturation in Arterial blood')],
          text: 'SpO2',
        },
        valueQuantity: quantity(reading.values.value, '%'),
      };
    case 'steps':
      return {
        code: { coding: [loinc('55423-8', 'Number of steps in unspecified time Pedometer')], text: 'Steps' },
        valueQuantity: quantity(reading.values.value, 'steps', '{steps}'),
      };
  }
}

/** A stable id from the reading's identity, so the same reading exports as the same resource. */
const observationId = (reading: NormalizedReading) =>
  `${reading.deviceId}-${reading.metric}-${Date.parse(reading.measuredAt)}-${reading.seq ?? 0}`.replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 64);

export function toObservation(reading: NormalizedReading): FhirObservation {
  return {
    resourceType: 'Observation',
    id: observationId(reading),
    status: 'final',
    category: VITAL_SIGNS,
    ...measurement(reading),
    subject: { reference: `Patient/${reading.patientId}` },
    effectiveDateTime: reading.measuredAt,
    issued: reading.receivedAt,
    device: { display: reading.deviceId },
  };
}

export function toFlag(alert: { id: string; patientId: string; title: string; reason: string; status: string; openedAt: string }): FhirFlag {
  return {
    resourceType: 'Flag',
    id: alert.id,
    status: alert.status === 'resolved' ? 'inactive' : 'active',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/flag-category', code: 'clinical', display: 'Clinical' }] }],
    code: { text: `${alert.title}: ${alert.reason}` },
    subject: { reference: `Patient/${alert.patientId}` },
    period: { start: alert.openedAt },
  };
}

export function searchBundle<T extends { resourceType: string; id: string }>(resources: T[]): FhirBundle<T> {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: resources.length,
    entry: resources.map((resource) => ({ fullUrl: `urn:rpm:${resource.resourceType}/${resource.id}`, resource })),
  };
}
