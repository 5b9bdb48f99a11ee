import type { NormalizedReading } from '@rpm/contracts';

/**
 * FHIR R4 resources for a patient's data. Codes from docs/clinical-references.md: LOINC for what was measured,
 * UCUM for units (http://unitsofmeasure.org). Categories (observation-category): glucose is `laboratory`, as the
 * HL7 CGM implementation guide files CGM glucose (a finger-stick is a point-of-care laboratory test too); steps
 * are `activity`; blood pressure, heart rate and SpO2 are `vital-signs`.
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
  /** A point in time, or for a count over a period (steps) the period. */
  effectiveDateTime?: string;
  effectivePeriod?: { start: string; end: string };
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
const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const category = (code: string, display: string) => [{ coding: [{ system: OBSERVATION_CATEGORY, code, display }] }];
const CATEGORY: Record<NormalizedReading['metric'], FhirObservation['category']> = {
  glucose: category('laboratory', 'Laboratory'),
  blood_pressure: category('vital-signs', 'Vital Signs'),
  heart_rate: category('vital-signs', 'Vital Signs'),
  spo2: category('vital-signs', 'Vital Signs'),
  steps: category('activity', 'Activity'),
};

function measurement(reading: NormalizedReading): Pick<FhirObservation, 'code' | 'valueQuantity' | 'component'> {
  switch (reading.metric) {
    case 'glucose': {
      if (reading.context.source === 'cgm' && reading.original.unit === 'mmol/L' && reading.original.values.value !== undefined) {
        // A CGM that reports mmol/L exports what it measured, under the molar code.
        const molar = loinc('105272-9', 'Glucose [Moles/volume] in Interstitial fluid');
        return { code: { coding: [molar], text: 'Glucose' }, valueQuantity: quantity(reading.original.values.value, 'mmol/L') };
      }
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

/**
 * FNV-1a, 128 bits (the published offset basis and prime), over the UTF-8 of `text`: a name-based id that
 * needs no crypto module (libs/clinical does no I/O and imports no Node core module).
 */
function fnv1a128(text: string): bigint {
  let hash = 0x6c62272e07bb014262b821756295c58dn;
  const prime = 0x0000000001000000000000000000013bn;
  const mask = (1n << 128n) - 1n;
  for (const byte of new TextEncoder().encode(text)) hash = ((hash ^ BigInt(byte)) * prime) & mask;
  return hash;
}

/** A UUID (RFC 9562 version 8, custom) named by `key`: the same key always gives the same id. */
export function nameBasedUuid(key: string): string {
  let hash = fnv1a128(key);
  hash = (hash & ~(0xfn << 76n)) | (0x8n << 76n); // version 8
  hash = (hash & ~(0x3n << 62n)) | (0x2n << 62n); // variant 10
  const hex = hash.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A stable id from the reading's whole identity, so the same reading exports as the same resource and two
 * readings never share one (FHIR ids are at most 64 characters: cutting a long device id made them collide).
 */
export const observationId = (reading: NormalizedReading): string =>
  nameBasedUuid(JSON.stringify([reading.patientId, reading.deviceId, reading.metric, Date.parse(reading.measuredAt), reading.seq ?? null]));

/** When: a count over a period (steps over the hour ending at measuredAt) is its period, anything else a point in time. */
function effective(reading: NormalizedReading): Pick<FhirObservation, 'effectiveDateTime' | 'effectivePeriod'> {
  const periodSeconds = Number(reading.context.periodSeconds);
  if (reading.metric === 'steps' && periodSeconds > 0) {
    const end = Date.parse(reading.measuredAt);
    return { effectivePeriod: { start: new Date(end - periodSeconds * 1000).toISOString(), end: new Date(end).toISOString() } };
  }
  return { effectiveDateTime: reading.measuredAt };
}

export function toObservation(reading: NormalizedReading): FhirObservation {
  return {
    resourceType: 'Observation',
    id: observationId(reading),
    status: 'final',
    category: CATEGORY[reading.metric],
    ...measurement(reading),
    subject: { reference: `Patient/${reading.patientId}` },
    ...effective(reading),
    issued: reading.receivedAt,
    device: { display: reading.deviceId },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function toFlag(alert: { id: string; patientId: string; title: string; reason: string; status: string; openedAt: string }): FhirFlag {
  return {
    resourceType: 'Flag',
    id: UUID.test(alert.id) ? alert.id.toLowerCase() : nameBasedUuid(`Flag ${alert.id}`),
    status: alert.status === 'resolved' ? 'inactive' : 'active',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/flag-category', code: 'clinical', display: 'Clinical' }] }],
    // The reason already opens with the rule's title ("Hypertensive crisis: ..."): not twice.
    code: { text: alert.reason.startsWith(`${alert.title}:`) ? alert.reason : `${alert.title}: ${alert.reason}` },
    subject: { reference: `Patient/${alert.patientId}` },
    period: { start: alert.openedAt },
  };
}

/**
 * A searchset Bundle. Every resource's id is a UUID, so its fullUrl is `urn:uuid:<id>` (FHIR R4 Bundle: an
 * absolute URL or a urn:uuid, agreeing with Resource.id); entries are unique by fullUrl (bdl-7), a repeated
 * resource listed once.
 */
export function searchBundle<T extends { resourceType: string; id: string }>(resources: T[]): FhirBundle<T> {
  const seen = new Set<string>();
  const entry: FhirBundle<T>['entry'] = [];
  for (const resource of resources) {
    const fullUrl = `urn:uuid:${resource.id}`;
    if (seen.has(fullUrl)) continue;
    seen.add(fullUrl);
    entry.push({ fullUrl, resource });
  }
  return { resourceType: 'Bundle', type: 'searchset', total: entry.length, entry };
}
