import type { NormalizedReading } from '@rpm/contracts';
import { mmolPerLToMgPerDl } from '../units';

/** A normalised reading for table tests: only what the summaries read. */
export function reading(
  metric: NormalizedReading['metric'],
  measuredAt: string,
  values: Record<string, number>,
  source = 'cgm',
  deviceId = 'device-1',
): NormalizedReading {
  const unit = metric === 'blood_pressure' ? 'mmHg' : 'mg/dL';
  return {
    patientId: '00000000-0000-4000-8000-000000000001',
    deviceId,
    metric,
    measuredAt,
    receivedAt: measuredAt,
    seq: null,
    unit,
    values,
    original: { unit, values },
    context: { source },
  } as NormalizedReading;
}

/** A glucose reading reported in mmol/L, stored as the gateway stores it: mg/dL rounded to 0.1, the original kept. */
export function mmolReading(measuredAt: string, mmolPerL: number, source = 'cgm', deviceId = 'device-1'): NormalizedReading {
  return {
    ...reading('glucose', measuredAt, { value: mmolPerLToMgPerDl(mmolPerL) }, source, deviceId),
    original: { unit: 'mmol/L', values: { value: mmolPerL } },
  };
}
