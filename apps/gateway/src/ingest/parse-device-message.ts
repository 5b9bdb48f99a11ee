import {
  EARLIEST_MEASURED_AT,
  EARLIEST_MEASURED_AT_MS,
  MAX_BATCH_SIZE,
  MAX_FUTURE_SKEW_MS,
  deviceReadingSchema,
  readingBatchSchema,
  type NormalizedReading,
  type RejectedItem,
} from '@rpm/contracts';
import { normalizeReading } from '@rpm/clinical';

export interface MessageOrigin {
  deviceId: string;
  patientId: string;
  receivedAt: Date;
}

export interface ParsedMessage {
  accepted: NormalizedReading[];
  rejected: RejectedItem[];
}

function describeIssues(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => (issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

function parseItem(item: unknown, index: number, origin: MessageOrigin): NormalizedReading | RejectedItem {
  const metric = (item as { metric?: unknown } | null)?.metric;
  const parsed = deviceReadingSchema.safeParse(item);
  if (!parsed.success) {
    const unknownMetric = typeof metric === 'string' && !parsed.error.issues.some((issue) => issue.path[0] !== 'metric');
    return unknownMetric
      ? { index, code: 'unknown_metric', message: `metric "${metric}" is not one of the protocol's metrics` }
      : { index, code: 'invalid_payload', message: describeIssues(parsed.error.issues) };
  }
  const reading = parsed.data;
  const measuredAt = new Date(reading.measuredAt);
  if (!(measuredAt.getTime() >= EARLIEST_MEASURED_AT_MS)) {
    return {
      index,
      code: 'timestamp_too_old',
      message: `measuredAt ${reading.measuredAt} is before ${EARLIEST_MEASURED_AT}, the earliest the gateway accepts; the device clock is probably not set`,
    };
  }
  if (measuredAt.getTime() - origin.receivedAt.getTime() > MAX_FUTURE_SKEW_MS) {
    return {
      index,
      code: 'future_timestamp',
      message: `measuredAt ${reading.measuredAt} is more than ${MAX_FUTURE_SKEW_MS / 60_000} min ahead of the gateway clock; check the device clock`,
    };
  }
  const normalized = normalizeReading(reading);
  if (!normalized.ok) return { index, code: normalized.code, message: normalized.message };
  return {
    patientId: origin.patientId,
    deviceId: origin.deviceId,
    metric: reading.metric,
    measuredAt: measuredAt.toISOString(),
    receivedAt: origin.receivedAt.toISOString(),
    seq: reading.seq ?? null,
    ...normalized.reading,
  };
}

/**
 * Turns one MQTT payload (a reading, or a batch of readings for offline backfill) into the readings to
 * store and a reason for each one refused. One bad item never sinks the valid ones beside it.
 */
export function parseDeviceMessage(payload: Buffer | string, origin: MessageOrigin): ParsedMessage {
  let body: unknown;
  try {
    body = JSON.parse(payload.toString());
  } catch {
    return { accepted: [], rejected: [{ index: 0, code: 'malformed_json', message: 'payload is not valid JSON' }] };
  }
  let items: unknown[] = [body];
  if (body !== null && typeof body === 'object' && 'readings' in body) {
    const batch = readingBatchSchema.safeParse(body);
    if (!batch.success) {
      const tooLarge = Array.isArray(body.readings) && body.readings.length > MAX_BATCH_SIZE;
      return {
        accepted: [],
        rejected: [
          tooLarge
            ? { index: 0, code: 'batch_too_large', message: `a batch holds at most ${MAX_BATCH_SIZE} readings; split it` }
            : { index: 0, code: 'invalid_payload', message: describeIssues(batch.error.issues) },
        ],
      };
    }
    items = batch.data.readings;
  }
  const result: ParsedMessage = { accepted: [], rejected: [] };
  items.forEach((item, index) => {
    const outcome = parseItem(item, index, origin);
    if ('code' in outcome) result.rejected.push(outcome);
    else result.accepted.push(outcome);
  });
  return result;
}
