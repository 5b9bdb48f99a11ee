import type { NormalizedReading } from '@rpm/contracts';
import { EvaluationQueue, type Lane } from './evaluation-queue';

const reading = (patientId: string, seq: number, lane: Lane): NormalizedReading =>
  ({
    patientId,
    seq,
    measuredAt: new Date(1_800_000_000_000 + seq).toISOString(),
    receivedAt: new Date(1_800_000_000_000).toISOString(),
    context: { lane },
  }) as unknown as NormalizedReading;

/** A queue whose evaluation takes a tick per batch and records the order readings were evaluated in. */
function queue(options: { fail?: boolean } = {}) {
  const evaluated: string[] = [];
  const acked: number[] = [];
  const failures: Error[] = [];
  const q = new EvaluationQueue({
    laneOf: (item) => item.context.lane as Lane,
    evaluate: async (readings) => {
      await new Promise((resolve) => setImmediate(resolve));
      if (options.fail) throw new Error('database down');
      evaluated.push(...readings.map((item) => `${item.patientId}:${item.seq}`));
    },
    onFailure: (error) => failures.push(error),
    maxPatientsPerBatch: 2,
    maxReadingsPerPatient: 10,
  });
  /** Until `done` holds (at most 5 s, so a busy machine is waited for), or 50 ms when there is nothing to wait for. */
  const settled = async (done?: () => boolean) => {
    const deadline = Date.now() + 5_000;
    if (!done) return new Promise((resolve) => setTimeout(resolve, 50));
    while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  };
  return { q, evaluated, acked, failures, settled };
}

describe('EvaluationQueue', () => {
  it('evaluates a reading that can page before a backlog of wearable and backfill readings, and acknowledges events in order', async () => {
    const { q, evaluated, acked, settled } = queue();
    for (let event = 0; event < 20; event++) {
      q.add(
        Array.from({ length: 40 }, (_, n) => reading(`wearable-${n % 8}`, event * 40 + n, n % 2 ? 'live' : 'bulk')),
        () => acked.push(event),
      );
    }
    q.add([reading('hypo', 1, 'urgent')], () => acked.push(20));
    await settled(() => acked.length === 21);
    // Behind at most the first batch, which was already running when it came.
    expect(evaluated.indexOf('hypo:1')).toBeLessThan(2 * 10 + 1);
    expect(evaluated).toHaveLength(20 * 40 + 1);
    expect(acked).toEqual(Array.from({ length: 21 }, (_, n) => n));
    expect(q.oldestPendingAgeMs()).toBe(0);
  });

  it('does not make a reading that can page wait for the live batch being evaluated when it arrives', async () => {
    const evaluated: string[] = [];
    let releaseSlowBatch = () => undefined as void;
    const q = new EvaluationQueue({
      laneOf: (item) => item.context.lane as Lane,
      evaluate: async (readings) => {
        // The live batch stands for a burst's first batch, rebuilding dense streams from the store.
        if (readings.some((item) => item.context.lane === 'live')) await new Promise<void>((resolve) => (releaseSlowBatch = resolve));
        evaluated.push(...readings.map((item) => `${item.patientId}:${item.seq}`));
      },
      onFailure: () => undefined,
    });
    q.add([reading('wearable', 1, 'live')], () => undefined);
    q.add([reading('hypo', 2, 'urgent')], () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(evaluated).toEqual(['hypo:2']);
    releaseSlowBatch();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(evaluated).toEqual(['hypo:2', 'wearable:1']);
  });

  it("evaluates a patient's pending backfill before, and with, that patient's next live reading", async () => {
    const batches: string[][] = [];
    const q = new EvaluationQueue({
      laneOf: (item) => item.context.lane as Lane,
      evaluate: async (readings) => void batches.push(readings.map((item) => `${item.patientId}:${item.seq}`)),
      onFailure: () => undefined,
    });
    q.add([reading('cgm', 1, 'bulk'), reading('cgm', 2, 'bulk'), reading('cgm', 3, 'urgent')], () => undefined);
    q.add([reading('cgm', 4, 'bulk')], () => undefined);
    q.add([reading('cgm', 5, 'live')], () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(batches.flat()).toEqual(['cgm:1', 'cgm:2', 'cgm:3', 'cgm:4', 'cgm:5']);
    expect(batches[0]).toEqual(['cgm:1', 'cgm:2', 'cgm:3']);
  });

  it("keeps each patient's readings in order when an urgent-capable reading moves the patient ahead", async () => {
    const { q, evaluated, settled } = queue();
    q.add([reading('other', 1, 'live'), reading('p', 1, 'live'), reading('p', 2, 'live')], () => undefined);
    q.add([reading('p', 3, 'urgent'), reading('p', 4, 'live')], () => undefined);
    await settled(() => evaluated.length === 5);
    expect(evaluated.filter((item) => item.startsWith('p:'))).toEqual(['p:1', 'p:2', 'p:3', 'p:4']);
  });

  it('acknowledges nothing after a failed evaluation and reports it, so the broker delivers the events again', async () => {
    const { q, acked, failures, settled } = queue({ fail: true });
    q.add([reading('p', 1, 'urgent')], () => acked.push(1));
    await settled();
    expect(acked).toEqual([]);
    expect(failures.map((error) => error.message)).toEqual(['database down']);
    expect(q.pending).toBe(0);
  });
});
