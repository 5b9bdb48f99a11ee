import { runSimulation } from '../device-simulators/src/simulator';
import { demoCohortDevices } from './demo-cohort';

export interface CohortSimulation {
  stop(): Promise<void>;
}

/** The demo cohort's devices are seeded with this seed: the same 14 days on every machine. */
const DEMO_COHORT_SEED = 'demo-cohort';

/**
 * Runs the device simulator inside the launcher for the demo cohort: `backfillDays` of history as batches
 * (so the doctor sees two weeks of CGM, BP and wearable data at once), then live readings in real time
 * (a CGM reading every 5 min, BP morning and evening, ...) until stopped. Failures are reported, never fatal:
 * the platform itself is fine without its demo data.
 */
export function startDemoCohortSimulation(brokerUrl: string, backfillDays: number, say: (line: string) => void): CohortSimulation {
  const stop = new AbortController();
  let announcedLive = false;
  const running = runSimulation({
    brokerUrl,
    devices: demoCohortDevices(),
    seed: DEMO_COHORT_SEED,
    days: backfillDays,
    batchSize: 500,
    scenarios: [],
    live: true,
    signal: stop.signal,
    onBackfillPlanned: (total) => {
      if (total > 0) say(`demo cohort: sending ${backfillDays} days of history (${total} readings) from ${demoCohortDevices().length} simulated devices ...`);
    },
    onLiveTick: ({ readingsSent }) => {
      if (announcedLive) return;
      announcedLive = true;
      say(`demo cohort: ${readingsSent ? `${readingsSent} readings sent; now ` : ''}publishing live (DEMO_COHORT=false turns this off)`);
    },
  }).then(
    () => undefined,
    (error: Error) => say(`demo cohort: the simulator stopped: ${error.message}`),
  );
  return {
    async stop() {
      stop.abort();
      await running;
    },
  };
}
