import { DEFAULT_RULES } from '@rpm/clinical';
import type { NormalizedReading } from '@rpm/contracts';
import type { PatientFacts } from './patient-facts';
import { RecentReadings } from './recent-readings';

const PATIENT = '7f1c2e2a-5a8e-4d55-9c43-0d6d1c1d0a11';
const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);
const glucose = (minute: number, seq = minute, value = 100): NormalizedReading => ({
  patientId: PATIENT,
  deviceId: 'meter-1',
  metric: 'glucose',
  measuredAt: new Date(T0 + minute * 60_000).toISOString(),
  receivedAt: new Date(T0 + minute * 60_000).toISOString(),
  seq,
  unit: 'mg/dL',
  values: { value },
  original: { unit: 'mg/dL', values: { value } },
  context: {},
});
const rules = DEFAULT_RULES.filter((rule) => rule.id === 'glucose.level2_hypo'); // 180 minutes of history

/** A store holding `stored`, answering as PatientFacts does, and counting its queries. */
function fakeFacts(stored: NormalizedReading[], limit = 10_000) {
  const facts = {
    queries: 0,
    async metricReadings(_patientId: string, metric: string, from: Date, to: Date) {
      facts.queries++;
      const readings = stored
        .filter((reading) => reading.metric === metric && reading.measuredAt >= from.toISOString() && reading.measuredAt <= to.toISOString())
        .slice(0, limit);
      return { readings, complete: readings.length < limit };
    },
  };
  return facts;
}

describe('RecentReadings', () => {
  it('asks the store once per patient and metric, then serves the history from the announced readings', async () => {
    const stored = [glucose(0), glucose(5)];
    const facts = fakeFacts(stored);
    const recent = new RecentReadings(facts as unknown as PatientFacts);
    expect(await recent.readings(PATIENT, rules, new Date(T0 + 5 * 60_000), new Date(T0 + 5 * 60_000))).toEqual(stored);

    const fresh = [glucose(10), glucose(15)];
    stored.push(...fresh);
    recent.add(fresh);
    expect(await recent.readings(PATIENT, rules, new Date(T0 + 10 * 60_000), new Date(T0 + 15 * 60_000))).toEqual(stored);
    expect(facts.queries).toBe(1);
  });

  it('keeps a replayed reading once, puts a late one in measurement order, and stops at `to`', async () => {
    const facts = fakeFacts([glucose(0), glucose(10)]);
    const recent = new RecentReadings(facts as unknown as PatientFacts);
    await recent.readings(PATIENT, rules, new Date(T0 + 10 * 60_000), new Date(T0 + 10 * 60_000));
    recent.add([glucose(10), glucose(5), glucose(20)]);
    const history = await recent.readings(PATIENT, rules, new Date(T0 + 15 * 60_000), new Date(T0 + 15 * 60_000));
    expect(history.map((reading) => reading.seq)).toEqual([0, 5, 10]);
  });

  it('asks the store again for history older than what it holds, and keeps nothing a query limit cut', async () => {
    const stored = [glucose(0), glucose(200), glucose(400)];
    const facts = fakeFacts(stored);
    const recent = new RecentReadings(facts as unknown as PatientFacts);
    await recent.readings(PATIENT, rules, new Date(T0 + 400 * 60_000), new Date(T0 + 400 * 60_000));
    // A backfilled reading measured before the window's start: the window cannot vouch for its history.
    expect(await recent.readings(PATIENT, rules, new Date(T0 + 150 * 60_000), new Date(T0 + 200 * 60_000))).toEqual([glucose(0), glucose(200)]);
    expect(facts.queries).toBe(2);

    const cut = fakeFacts(stored, 1);
    const uncached = new RecentReadings(cut as unknown as PatientFacts);
    await uncached.readings(PATIENT, rules, new Date(T0 + 400 * 60_000), new Date(T0 + 400 * 60_000));
    await uncached.readings(PATIENT, rules, new Date(T0 + 400 * 60_000), new Date(T0 + 400 * 60_000));
    expect(cut.queries).toBe(2);
  });
});
