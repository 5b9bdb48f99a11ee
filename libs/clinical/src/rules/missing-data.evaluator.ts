import type { NormalizedReading } from '@rpm/contracts';
import type { MissingDataRule } from './rule-definition.schema';
import { clear, formatDuration, formatLocalTime, undetermined, type Evaluation } from './rule-outcome';

/**
 * Fires when no reading was measured for afterMinutes and none arrived in that time either: a device
 * that is delivering old readings (a backfill in progress) is late, not silent, and does not page.
 */
export function evaluateMissingData(rule: MissingDataRule, readings: readonly NormalizedReading[], now: Date, timeZone: string): Evaluation {
  const relevant = rule.readingSource ? readings.filter((reading) => reading.context.source === rule.readingSource) : readings;
  if (relevant.length === 0) return undetermined();
  const latestMeasured = relevant[relevant.length - 1];
  const silentMinutes = (now.getTime() - Date.parse(latestMeasured.measuredAt)) / 60_000;
  if (silentMinutes < rule.afterMinutes) return clear();
  const latestReceived = Math.max(...relevant.map((reading) => Date.parse(reading.receivedAt)));
  if ((now.getTime() - latestReceived) / 60_000 < rule.afterMinutes) return undetermined();
  const what = rule.readingSource ? `${rule.readingSource.toUpperCase()} ${rule.metric.replace('_', ' ')}` : rule.metric.replace('_', ' ');
  return {
    state: 'firing',
    reason: `${rule.title}: no ${what} reading for ${formatDuration(silentMinutes)} (last measured ${formatLocalTime(latestMeasured.measuredAt, timeZone, now)})`,
    evidence: [latestMeasured],
    since: latestMeasured.measuredAt,
  };
}
