import { ManualClock } from '@rpm/clinical';
import { SimulatedSchedule } from './simulated-schedule';

const HOUR = 3_600_000;
const at = (iso: string) => new Date(iso);

describe('the simulated schedule: jobs follow a simulated clock, once per crossing', () => {
  function started(schedule: SimulatedSchedule, accept = true): string[] {
    const runs: string[] = [];
    schedule.tick((job, now) => {
      runs.push(`${job.name}@${now.toISOString()}`);
      return accept;
    });
    return runs;
  }

  it('runs nothing until the clock crosses a slot, then each job once at the simulated time', () => {
    const clock = new ManualClock(at('2025-01-06T05:30:00Z'));
    const schedule = new SimulatedSchedule(clock, [
      { name: 'follow-up', everyMs: 6 * HOUR },
      { name: 'hourly', everyMs: HOUR },
    ]);
    expect(started(schedule)).toEqual([]);
    clock.set(at('2025-01-06T05:59:59Z'));
    expect(started(schedule)).toEqual([]);
    clock.set(at('2025-01-06T06:00:00Z'));
    expect(started(schedule)).toEqual(['follow-up@2025-01-06T06:00:00.000Z', 'hourly@2025-01-06T06:00:00.000Z']);
    // Polled again without the clock moving: nothing more.
    expect(started(schedule)).toEqual([]);
    clock.set(at('2025-01-06T07:00:00Z'));
    expect(started(schedule)).toEqual(['hourly@2025-01-06T07:00:00.000Z']);
  });

  it('runs once for a jump over many slots, as a job that was down does not catch up', () => {
    const clock = new ManualClock(at('2025-01-06T10:00:00Z'));
    const schedule = new SimulatedSchedule(clock, [{ name: 'follow-up', everyMs: 6 * HOUR }]);
    clock.advanceDays(30);
    expect(started(schedule)).toEqual(['follow-up@2025-02-05T10:00:00.000Z']);
    expect(started(schedule)).toEqual([]);
  });

  it('keeps a crossing due while the job cannot start (its previous run still going), then runs it once', () => {
    const clock = new ManualClock(at('2025-01-06T23:59:00Z'));
    const schedule = new SimulatedSchedule(clock, [{ name: 'follow-up', everyMs: 6 * HOUR }]);
    clock.set(at('2025-01-07T00:00:00Z'));
    expect(started(schedule, false)).toEqual(['follow-up@2025-01-07T00:00:00.000Z']);
    clock.set(at('2025-01-07T00:00:01Z'));
    expect(started(schedule)).toEqual(['follow-up@2025-01-07T00:00:01.000Z']);
    expect(started(schedule)).toEqual([]);
  });

  it('never runs a job when the clock is set back', () => {
    const clock = new ManualClock(at('2025-01-06T12:00:00Z'));
    const schedule = new SimulatedSchedule(clock, [{ name: 'follow-up', everyMs: 6 * HOUR }]);
    clock.set(at('2025-01-05T12:00:00Z'));
    expect(started(schedule)).toEqual([]);
    clock.set(at('2025-01-06T17:59:59Z'));
    expect(started(schedule)).toEqual([]);
  });
});
