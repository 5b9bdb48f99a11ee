import type { NormalizedReading } from '@rpm/contracts';

/** A normalised reading for table tests: only what the summaries read. */
export function reading(metric: NormalizedReading['metric'], measuredAt: string, values: Record<string, number>, source = 'cgm'): NormalizedReading {
  const unit = metric === 'blood_pressure' ? 'mmHg' : 'mg/dL';
  return {
    patientId: '00000000-0000-4000-8000-000000000001',
    deviceId: 'device-1',
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
