import { Injectable } from '@nestjs/common';
import { historyMinutes, type RuleDefinition } from '@rpm/clinical';
import type { NormalizedReading } from '@rpm/contracts';
import { PatientFacts } from './patient-facts';

/** How many readings the windows hold in all; past it the least recently used windows go. */
const MAX_CACHED_READINGS = 200_000;
/** Kept beyond the rules' history, so a reading that arrives a little out of order is still served from memory. */
const SLACK_MS = 15 * 60_000;
/** Fills ask the store up to this far ahead of now: the gateway refuses readings more than 5 minutes in the future. */
const FUTURE_MS = 24 * 3600_000;

interface Window {
  /** Every stored reading of this patient and metric measured at or after `from` is in `readings`. */
  from: string;
  historyMs: number;
  /** Oldest first. */
  readings: NormalizedReading[];
  keys: Set<string>;
}

const byTime = (a: NormalizedReading, b: NormalizedReading) => (a.measuredAt < b.measuredAt ? -1 : a.measuredAt > b.measuredAt ? 1 : 0);
/** A reading's identity in the store: the same reading replayed is one reading. */
const identity = (reading: NormalizedReading) => `${reading.deviceId}\u0000${reading.measuredAt}\u0000${reading.seq}`;

/**
 * The recent history of each patient and metric that alerting evaluated lately, kept up to date from the
 * accepted-readings events. Without it every event cost one store query per patient in it (at 5,000
 * readings/s, thousands of queries a second: more than the store and these cores can serve). A window is
 * filled by one store query with no upper time bound and then extended with every announced reading, so
 * it holds everything stored from its start on: the gateway stores each reading before announcing it, and
 * alerting receives every announcement (its subscription is its own, never a shared `$share/` one: with a
 * shared subscription an instance would see only part of them, and this cache would have to go). A request reaching back before a window's start (a backfill, a
 * rule override with a longer history, a restart) asks the store again.
 */
@Injectable()
export class RecentReadings {
  private readonly windows = new Map<string, Window>();
  private cached = 0;

  constructor(private readonly facts: PatientFacts) {}

  /** Adds announced readings to the windows that cover them; call before evaluating them. */
  add(readings: readonly NormalizedReading[]): void {
    const touched = new Set<Window>();
    for (const reading of readings) {
      const window = this.windows.get(windowKey(reading.patientId, reading.metric));
      if (!window || reading.measuredAt < window.from) continue;
      const key = identity(reading);
      if (window.keys.has(key)) continue;
      window.keys.add(key);
      insertInOrder(window.readings, reading);
      this.cached++;
      touched.add(window);
    }
    for (const window of touched) this.trim(window);
    this.evict();
  }

  /** The patient's readings of the rules' metrics, from the history the rules need before `from` up to `to`, oldest first. */
  async readings(patientId: string, rules: readonly RuleDefinition[], from: Date, to: Date): Promise<NormalizedReading[]> {
    const metrics = [...new Set(rules.map((rule) => rule.metric))];
    const until = to.toISOString();
    const perMetric = await Promise.all(
      metrics.map(async (metric) => {
        const historyMs = Math.max(...rules.filter((rule) => rule.metric === metric).map(historyMinutes)) * 60_000;
        const start = new Date(from.getTime() - historyMs);
        const readings = this.cover(patientId, metric, start.toISOString(), historyMs) ?? (await this.fill(patientId, metric, start, historyMs));
        return readings.slice(0, after(readings, until));
      }),
    );
    return perMetric.length === 1 ? perMetric[0] : perMetric.flat().sort(byTime);
  }

  private cover(patientId: string, metric: NormalizedReading['metric'], start: string, historyMs: number): NormalizedReading[] | undefined {
    const key = windowKey(patientId, metric);
    const window = this.windows.get(key);
    if (!window || window.from > start) return undefined;
    window.historyMs = Math.max(window.historyMs, historyMs);
    // Most recently used last: eviction takes from the front.
    this.windows.delete(key);
    this.windows.set(key, window);
    // The readings measured at or after start: those after every reading measured before it.
    let first = 0;
    let high = window.readings.length;
    while (first < high) {
      const middle = (first + high) >>> 1;
      if (window.readings[middle].measuredAt < start) first = middle + 1;
      else high = middle;
    }
    return window.readings.slice(first);
  }

  private async fill(patientId: string, metric: NormalizedReading['metric'], start: Date, historyMs: number): Promise<NormalizedReading[]> {
    const { readings, complete } = await this.facts.metricReadings(patientId, metric, start, new Date(Date.now() + FUTURE_MS));
    const sorted = [...readings].sort(byTime);
    // A result cut at the query limit does not say what lies past it: serve it, keep nothing.
    if (complete) {
      const key = windowKey(patientId, metric);
      this.cached -= this.windows.get(key)?.readings.length ?? 0;
      this.windows.delete(key);
      // A copy: trimming the window must not take readings from the answer to this request.
      const window: Window = { from: start.toISOString(), historyMs, readings: [...sorted], keys: new Set(sorted.map(identity)) };
      this.windows.set(key, window);
      this.cached += sorted.length;
      this.trim(window);
      this.evict();
    }
    return sorted;
  }

  /** Drops what the rules can no longer ask for, moving the window's start with it. */
  private trim(window: Window): void {
    const newest = window.readings.at(-1);
    if (!newest) return;
    const cutoff = new Date(Date.parse(newest.measuredAt) - window.historyMs - SLACK_MS).toISOString();
    if (cutoff <= window.from) return;
    let drop = 0;
    while (drop < window.readings.length && window.readings[drop].measuredAt < cutoff) drop++;
    for (const reading of window.readings.slice(0, drop)) window.keys.delete(identity(reading));
    window.readings.splice(0, drop);
    window.from = cutoff;
    this.cached -= drop;
  }

  private evict(): void {
    for (const [key, window] of this.windows) {
      if (this.cached <= MAX_CACHED_READINGS) return;
      this.windows.delete(key);
      this.cached -= window.readings.length;
    }
  }
}

const windowKey = (patientId: string, metric: string) => `${patientId}\u0000${metric}`;

/** The index just past the last reading measured at or before `time` (readings oldest first). */
function after(readings: readonly NormalizedReading[], time: string): number {
  if (readings.length === 0 || readings[readings.length - 1].measuredAt <= time) return readings.length;
  let low = 0;
  let high = readings.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (readings[middle].measuredAt <= time) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Readings mostly arrive in measurement order: this appends them, else puts them after those of equal time. */
function insertInOrder(readings: NormalizedReading[], reading: NormalizedReading): void {
  readings.splice(after(readings, reading.measuredAt), 0, reading);
}
