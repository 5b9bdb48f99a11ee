import type { NormalizedReading } from '@rpm/contracts';
import { AGP_DEFAULT_DAYS, HOME_BP_WINDOW_DAYS, summarizeCgm, summarizeHomeBp, type CgmSummary, type HomeBpSummary } from '@rpm/clinical';

const DAY = 86_400_000;
/** Bounded by the window, not a count: a 1-minute CGM takes 20,160 readings in 14 days, twice that while two sensors overlap. */
const CGM_FORTNIGHT_LIMIT = AGP_DEFAULT_DAYS * 1440 * 2;

/** Where the readings come from: the reading store has this method; nothing more of it is needed. */
export interface ControlReadings {
  query(query: { patientId: string; metric: 'blood_pressure' | 'glucose'; from: Date; to: Date; limit: number }): Promise<NormalizedReading[]>;
}

/**
 * A patient's control as of `now`, by the clinical summaries: the ESH home BP mean over HOME_BP_WINDOW_DAYS and
 * the CGM fortnight (null where there is none). Shared by the follow-up centre's dashboard and the programme
 * metrics; a patient whose readings cannot be read has none, so a loop over patients goes on without them.
 */
export async function patientControl(
  readings: ControlReadings,
  patientId: string,
  timeZone: string,
  now: Date,
): Promise<{ homeBp: HomeBpSummary | null; cgm: CgmSummary | null }> {
  try {
    const [bp, glucose] = await Promise.all([
      readings.query({ patientId, metric: 'blood_pressure', from: new Date(now.getTime() - HOME_BP_WINDOW_DAYS * DAY), to: now, limit: 1000 }),
      readings.query({ patientId, metric: 'glucose', from: new Date(now.getTime() - AGP_DEFAULT_DAYS * DAY), to: now, limit: CGM_FORTNIGHT_LIMIT }),
    ]);
    return { homeBp: summarizeHomeBp(bp, timeZone), cgm: summarizeCgm(glucose, AGP_DEFAULT_DAYS) };
  } catch {
    return { homeBp: null, cgm: null };
  }
}
