import { Injectable } from '@nestjs/common';
import { historyMinutes, type RuleDefinition } from '@rpm/clinical';
import type { Metric, NormalizedReading } from '@rpm/contracts';
import { PatientFacts, readingIdentity } from './patient-facts';

/** A window is read from the store again after at most this long (at least half), whatever it was fed: readings written around alerting (a seed script) show within it. */
const REFRESH_MS = 30 * 60_000;
/**
 * Readings held over all patients at most (a reading is a few hundred bytes): past it the windows read least
 * recently are dropped, and their patients' runs read the store as before. 14 days of CGM are about 4,000.
 */
const MAX_READINGS = 250_000;
/** Readings measured up to this far ahead of the run (a device clock running fast) are read with the window too. */
const AHEAD_MS = 24 * 3_600_000;

interface Window {
  /** Readings measured from here on are all held (ms). */
  from: number;
  /** The run time it was read at (ms). */
  readAt: number;
  /** The run time from which it is read again (ms): REFRESH_MS after readAt, less up to a half, so the patients' re-reads spread out. */
  refreshAt: number;
  readings: Map<string, NormalizedReading>;
}

const byTime = (a: NormalizedReading, b: NormalizedReading) => (a.measuredAt < b.measuredAt ? -1 : a.measuredAt > b.measuredAt ? 1 : 0);

/**
 * The readings the clock-triggered rules (missing data, 14-day CGM windows) look at, per patient and metric, kept
 * in memory between the scheduled-rules job's runs and fed by the readings alerting evaluates (issue 15: every
 * run read each patient's 14 days of glucose from the store, every minute). A warm run of a patient asks the store
 * nothing. The windows are used only while the readings source vouches that every reading stored for the patient
 * reaches observe() (`trusted`, set by the source: the broker's topic while connected); otherwise, and for a
 * window older than REFRESH_MS, the store is read as before.
 */
@Injectable()
export class ScheduledWindows {
  /** Whether every reading stored for this patient reaches observe(); false (the default) reads the store each run. */
  trusted: (patientId: string) => boolean = () => false;
  /** Insertion order is the order windows were read in: the first go first past MAX_READINGS. */
  private readonly windows = new Map<string, Map<Metric, Window>>();
  /** Readings observed while a patient's window is being read: the read may or may not hold them. */
  private readonly reading = new Map<string, NormalizedReading[][]>();
  private held = 0;

  constructor(private readonly facts: PatientFacts) {}

  /** Readings alerting took in (already stored): added to their patient's windows. */
  observe(readings: readonly NormalizedReading[]): void {
    for (const reading of readings) {
      for (const pending of this.reading.get(reading.patientId) ?? []) pending.push(reading);
      const window = this.windows.get(reading.patientId)?.get(reading.metric);
      if (window) this.add(window, reading);
    }
  }

  /** Drops every window (the source lost or regained its connection: readings may have passed it by). */
  clear(): void {
    this.windows.clear();
    this.held = 0;
  }

  /** Readings measured in the windows that `rules` need at `now`, oldest first: what PatientFacts.readings(patientId, rules, now, now) answers. */
  async readings(patientId: string, rules: readonly RuleDefinition[], now: Date): Promise<NormalizedReading[]> {
    if (!this.trusted(patientId)) {
      this.drop(patientId);
      return this.facts.readings(patientId, rules, now, now);
    }
    const all: NormalizedReading[] = [];
    for (const metric of new Set(rules.map((rule) => rule.metric))) {
      const history = Math.max(...rules.filter((rule) => rule.metric === metric).map(historyMinutes)) * 60_000;
      all.push(...(await this.metricReadings(patientId, metric, now.getTime() - history, now.getTime())));
    }
    return all.sort(byTime);
  }

  private async metricReadings(patientId: string, metric: Metric, from: number, now: number): Promise<NormalizedReading[]> {
    let window = this.windows.get(patientId)?.get(metric);
    if (!window || from < window.from || now >= window.refreshAt || now < window.readAt) window = await this.read(patientId, metric, from, now);
    if (!window) return (await this.facts.metricReadings(patientId, metric, new Date(from), new Date(now))).readings;
    const readings: NormalizedReading[] = [];
    for (const [key, reading] of window.readings) {
      const at = Date.parse(reading.measuredAt);
      if (at < from) {
        window.readings.delete(key);
        this.held--;
      } else if (at <= now) readings.push(reading);
    }
    window.from = from;
    return readings;
  }

  /** Reads the window from the store; undefined when it is too large to hold (the caller reads the store itself). */
  private async read(patientId: string, metric: Metric, from: number, now: number): Promise<Window | undefined> {
    this.drop(patientId, metric);
    const observed: NormalizedReading[] = [];
    const pending = this.reading.get(patientId) ?? [];
    pending.push(observed);
    this.reading.set(patientId, pending);
    let stored: { readings: NormalizedReading[]; complete: boolean };
    try {
      stored = await this.facts.metricReadings(patientId, metric, new Date(from), new Date(now + AHEAD_MS));
    } finally {
      pending.splice(pending.indexOf(observed), 1);
      if (pending.length === 0) this.reading.delete(patientId);
    }
    if (!stored.complete || stored.readings.length > MAX_READINGS / 10) return undefined;
    // A source that stopped vouching while the store was read: the window may miss what passed it by.
    if (!this.trusted(patientId)) return undefined;
    const window: Window = { from, readAt: now, refreshAt: now + REFRESH_MS * (0.5 + Math.random() * 0.5), readings: new Map() };
    for (const reading of [...stored.readings, ...observed.filter((one) => one.metric === metric)]) this.add(window, reading);
    const metrics = this.windows.get(patientId) ?? new Map<Metric, Window>();
    this.windows.delete(patientId);
    this.windows.set(patientId, metrics.set(metric, window));
    this.evict(patientId);
    return window;
  }

  private add(window: Window, reading: NormalizedReading): void {
    if (Date.parse(reading.measuredAt) < window.from) return;
    const key = readingIdentity(reading);
    if (!window.readings.has(key)) this.held++;
    window.readings.set(key, reading);
  }

  private drop(patientId: string, metric?: Metric): void {
    const metrics = this.windows.get(patientId);
    if (!metrics) return;
    for (const [name, window] of metrics) {
      if (metric && name !== metric) continue;
      this.held -= window.readings.size;
      metrics.delete(name);
    }
    if (metrics.size === 0) this.windows.delete(patientId);
  }

  private evict(keep: string): void {
    for (const patientId of this.windows.keys()) {
      if (this.held <= MAX_READINGS) return;
      if (patientId !== keep) this.drop(patientId);
    }
  }
}
