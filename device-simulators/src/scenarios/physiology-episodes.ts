import { MINUTE_MS } from '../physiology/clock';
import { excursionEndMs, type Excursion } from '../physiology/excursion';
import type { Scenario } from './scenario-names';

/** What the physiology scenarios add to a patient, laid out one after another from `anchorMs`. */
export interface PhysiologyEpisodes {
  glucoseExcursions: Excursion[];
  meterChecksMs: number[];
  bloodPressureCrisesMs: number[];
  /** When the last episode is over: a backfill must reach this far to show them all. */
  endMs: number;
}

const GAP_MS = 30 * MINUTE_MS;

/**
 * hyper: a level 2 hyperglycaemia (> 250 mg/dL, docs/clinical-references.md) held 90 min; a meter user checks twice above
 *   250, 30 min apart (the "twice above 250" ketone rule).
 * hypo: a level 2 hypoglycaemia (< 54 mg/dL) held 30 min, so a CGM shows >= 15 min of it (the Danne 2017
 *   episode definition in docs/clinical-references.md); a meter user re-checks twice, 15 min apart, both below 54.
 * bp-crisis: a pair above 180/120 mmHg and the re-measurement after 5 min, still above (2017 ACC/AHA).
 */
/** The glucose scenarios as data, in the order they are played: hyper first, then hypo. */
const GLUCOSE_EPISODES = [
  ['hyper', { rampMinutes: 60, holdMinutes: 90, recoverMinutes: 90, target: 290, meterChecksIntoHoldMinutes: [10, 40] }],
  ['hypo', { rampMinutes: 40, holdMinutes: 30, recoverMinutes: 30, target: 46, meterChecksIntoHoldMinutes: [5, 20] }],
] as const satisfies readonly (readonly [
  Scenario,
  { rampMinutes: number; holdMinutes: number; recoverMinutes: number; target: number; meterChecksIntoHoldMinutes: readonly number[] },
])[];

export function physiologyEpisodes(scenarios: readonly Scenario[], anchorMs: number): PhysiologyEpisodes {
  const episodes: PhysiologyEpisodes = { glucoseExcursions: [], meterChecksMs: [], bloodPressureCrisesMs: [], endMs: anchorMs };
  let cursor = anchorMs;
  for (const [scenario, shape] of GLUCOSE_EPISODES) {
    if (!scenarios.includes(scenario)) continue;
    const excursion = {
      startMs: cursor,
      rampMs: shape.rampMinutes * MINUTE_MS,
      holdMs: shape.holdMinutes * MINUTE_MS,
      recoverMs: shape.recoverMinutes * MINUTE_MS,
      target: shape.target,
    };
    const holdStart = excursion.startMs + excursion.rampMs;
    episodes.glucoseExcursions.push(excursion);
    episodes.meterChecksMs.push(...shape.meterChecksIntoHoldMinutes.map((minutes) => holdStart + minutes * MINUTE_MS));
    cursor = excursionEndMs(excursion) + GAP_MS;
  }
  if (scenarios.includes('bp-crisis')) {
    episodes.bloodPressureCrisesMs.push(anchorMs + 20 * MINUTE_MS);
    cursor = Math.max(cursor, anchorMs + 20 * MINUTE_MS + GAP_MS);
  }
  episodes.endMs = cursor;
  return episodes;
}

/** How long the physiology episodes of these scenarios take, from anchor to the end of the last. */
export const episodesSpanMs = (scenarios: readonly Scenario[]): number => physiologyEpisodes(scenarios, 0).endMs;
