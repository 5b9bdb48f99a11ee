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
 * hyper: a level 2 hyperglycaemia (> 250 mg/dL, CLINICAL.md) held 90 min; a meter user checks twice above
 *   250, 30 min apart (the "twice above 250" ketone rule).
 * hypo: a level 2 hypoglycaemia (< 54 mg/dL) held 30 min, so a CGM shows >= 15 min of it (the Danne 2017
 *   episode definition in CLINICAL.md); a meter user re-checks twice, 15 min apart, both below 54.
 * bp-crisis: a pair above 180/120 mmHg and the re-measurement after 5 min, still above (2017 ACC/AHA).
 */
export function physiologyEpisodes(scenarios: readonly Scenario[], anchorMs: number): PhysiologyEpisodes {
  const episodes: PhysiologyEpisodes = { glucoseExcursions: [], meterChecksMs: [], bloodPressureCrisesMs: [], endMs: anchorMs };
  let cursor = anchorMs;
  if (scenarios.includes('hyper')) {
    const excursion = { startMs: cursor, rampMs: 60 * MINUTE_MS, holdMs: 90 * MINUTE_MS, recoverMs: 90 * MINUTE_MS, target: 290 };
    const holdStart = excursion.startMs + excursion.rampMs;
    episodes.glucoseExcursions.push(excursion);
    episodes.meterChecksMs.push(holdStart + 10 * MINUTE_MS, holdStart + 40 * MINUTE_MS);
    cursor = excursionEndMs(excursion) + GAP_MS;
  }
  if (scenarios.includes('hypo')) {
    const excursion = { startMs: cursor, rampMs: 40 * MINUTE_MS, holdMs: 30 * MINUTE_MS, recoverMs: 30 * MINUTE_MS, target: 46 };
    const holdStart = excursion.startMs + excursion.rampMs;
    episodes.glucoseExcursions.push(excursion);
    episodes.meterChecksMs.push(holdStart + 5 * MINUTE_MS, holdStart + 20 * MINUTE_MS);
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
