import type { Metric, NormalizedReading } from '@rpm/contracts';
import fc from 'fast-check';
import { DEFAULT_RULES } from '../default-rules';
import { evaluateRules, isScheduledRule } from '../evaluate-rules';
import { ruleDefinitionSchema, type RuleDefinition } from '../rule-definition.schema';
import { MetricStreams } from './metric-streams';

const PATIENT = '7f1c2e2a-5a8e-4d55-9c43-0d6d1c1d0a11';
const T0 = Date.parse('2026-11-22T08:00:00Z');
const MMOL = 18.016;

/** The batch answer the streams must equal: evaluateRules over the window up to each reading. */
function batchOutcomes(rules: readonly RuleDefinition[], readings: readonly NormalizedReading[], windowMs: number, timeZone = 'UTC') {
  return readings.map((reading, index) => {
    const now = Date.parse(reading.measuredAt);
    const window = readings.slice(0, index + 1).filter((item) => Date.parse(item.measuredAt) >= now - windowMs);
    return evaluateRules(rules, { now: new Date(now), readings: window, timeZone });
  });
}

function reading(
  metric: Metric,
  at: number,
  seq: number,
  values: Record<string, number>,
  unit: string,
  original = { unit, values },
  source?: string,
): NormalizedReading {
  return {
    patientId: PATIENT,
    deviceId: 'device-1',
    metric,
    measuredAt: new Date(at).toISOString(),
    receivedAt: new Date(at).toISOString(),
    seq,
    unit,
    values,
    original,
    context: source ? { source } : {},
  };
}

/** Gaps from a dense wearable's second to an hour's silence; values straddling every default threshold. */
const gapMs = fc.constantFrom(1_000, 5_000, 60_000, 4.5 * 60_000, 5 * 60_000, 6 * 60_000, 10 * 60_000, 61 * 60_000);
const glucoseReading = fc.record({
  gap: gapMs,
  mgDl: fc.oneof(fc.integer({ min: 30, max: 650 }), fc.constantFrom(53, 54, 55, 69, 70, 71, 250, 251, 600)),
  mmol: fc.boolean(),
  cgm: fc.boolean(),
});
const bpReading = fc.record({
  gap: fc.constantFrom(60_000, 6 * 3600_000, 12 * 3600_000, 26 * 3600_000),
  systolic: fc.integer({ min: 80, max: 200 }),
  diastolic: fc.integer({ min: 50, max: 130 }),
});
const scalarReading = fc.record({ gap: gapMs, value: fc.integer({ min: 30, max: 150 }) });

function timeline<T extends { gap: number }>(items: T[], make: (item: T, at: number, seq: number) => NormalizedReading): NormalizedReading[] {
  let at = T0;
  return items.map((item, seq) => make(item, (at += item.gap), seq));
}

const glucoseReadings = fc.array(glucoseReading, { minLength: 1, maxLength: 60 }).map((items) =>
  timeline(items, ({ mgDl, mmol, cgm }, at, seq) => {
    const original = mmol ? { unit: 'mmol/L', values: { value: Math.round((mgDl / MMOL) * 10) / 10 } } : { unit: 'mg/dL', values: { value: mgDl } };
    return reading('glucose', at, seq, { value: mgDl }, 'mg/dL', original, cgm ? 'cgm' : 'meter');
  }),
);

/** Threshold rules beyond the defaults: runs of several readings over minutes, on either side, some only at night. */
const thresholdRule = (metric: Metric, unit: string) =>
  fc
    .record({
      comparator: fc.constantFrom('below', 'at_most', 'above', 'at_least'),
      // Within the metric's physiological range (PHYSIOLOGICAL_RANGES): the rule schema refuses a limit beyond it.
      limit: metric === 'spo2' ? fc.integer({ min: 50, max: 100 }) : fc.integer({ min: 40, max: 140 }),
      margin: fc.integer({ min: 0, max: 15 }),
      minConsecutive: fc.integer({ min: 1, max: 4 }),
      minDurationMinutes: fc.constantFrom(0, 0.05, 5, 10, 100, 120),
      night: fc.boolean(),
      group: fc.constantFrom(undefined, 'custom'),
    })
    .map(({ comparator, limit, margin, minConsecutive, minDurationMinutes, night, group }) =>
      ruleDefinitionSchema.parse({
        kind: 'threshold',
        id: `custom.${comparator}_${limit}`,
        version: 1,
        severity: limit % 2 ? 'urgent' : 'warning',
        group,
        title: 'Custom',
        source: 'test',
        metric,
        field: 'value',
        comparator,
        threshold: { [unit]: limit },
        clearMargin: { [unit]: margin },
        minConsecutive,
        minDurationMinutes,
        ...(night ? { activeWindow: { from: '22:00', to: '06:00' } } : {}),
      }),
    );

const defaultsOf = (metric: Metric) => DEFAULT_RULES.filter((rule) => rule.metric === metric && !isScheduledRule(rule));

function streamed(rules: readonly RuleDefinition[], readings: readonly NormalizedReading[], timeZone = 'UTC') {
  const streams = new MetricStreams(rules, timeZone);
  return { streams, outcomes: readings.map((item) => streams.push(item)) };
}

function expectSameAsBatch(rules: readonly RuleDefinition[], readings: readonly NormalizedReading[], timeZone = 'UTC') {
  const { streams, outcomes } = streamed(rules, readings, timeZone);
  expect(outcomes).toEqual(batchOutcomes(rules, readings, streams.windowMs, timeZone));
}

describe('streaming rule evaluation equals the batch evaluators over the window', () => {
  it('for the default glucose rules (levels, hysteresis, two above 250, rate of change, predicted low) in both units', () => {
    fc.assert(
      fc.property(glucoseReadings, (readings) => expectSameAsBatch(defaultsOf('glucose'), readings)),
      { numRuns: 300 },
    );
  });

  it('for the default heart-rate and SpO2 rules and any threshold rule, dense or sparse, with time-of-day windows', () => {
    for (const [metric, unit] of [
      ['heart_rate', 'bpm'],
      ['spo2', '%'],
    ] as const) {
      const readings = fc
        .array(scalarReading, { minLength: 1, maxLength: 80 })
        .map((items) => timeline(items, ({ value }, at, seq) => reading(metric, at, seq, { value }, unit)));
      fc.assert(
        fc.property(
          readings,
          fc.array(thresholdRule(metric, unit), { maxLength: 3 }),
          fc.constantFrom('UTC', 'America/New_York'),
          (items, custom, timeZone) => {
            const unique = custom.filter((rule, index) => custom.findIndex((other) => other.id === rule.id) === index);
            expectSameAsBatch([...defaultsOf(metric), ...unique], items, timeZone);
          },
        ),
        { numRuns: 200 },
      );
    }
  });

  it('for the default blood pressure rules, the 7-day home mean included', () => {
    const readings = fc
      .array(bpReading, { minLength: 1, maxLength: 50 })
      .map((items) => timeline(items, ({ systolic, diastolic }, at, seq) => reading('blood_pressure', at, seq, { systolic, diastolic }, 'mmHg')));
    fc.assert(
      fc.property(readings, (items) => expectSameAsBatch(defaultsOf('blood_pressure'), items)),
      { numRuns: 200 },
    );
  });

  it('rebuilt from the newest part of the window only when settled, then goes on exactly as the full rebuild', () => {
    const rules = defaultsOf('glucose');
    fc.assert(
      fc.property(glucoseReadings, fc.nat(), fc.constantFrom(60_000, 10 * 60_000, 30 * 60_000, 60 * 60_000, 120 * 60_000), (readings, split, sliceMs) => {
        const at = split % readings.length;
        const from = Date.parse(readings[at].measuredAt) - sliceMs;
        const partial = new MetricStreams(rules, 'UTC');
        for (const item of readings.slice(0, at)) if (Date.parse(item.measuredAt) >= from) partial.push(item);
        fc.pre(partial.settled());
        const full = streamed(rules, readings).outcomes.slice(at);
        expect(readings.slice(at).map((item) => partial.push(item))).toEqual(full);
      }),
      { numRuns: 300 },
    );
  });

  it("says why in the batch evaluators' words, e.g. a level 2 episode of a 1 Hz stream", () => {
    const rules = defaultsOf('glucose');
    const values = [60, 52, 50, 47, 51];
    const readings = values.map((value, index) => reading('glucose', T0 + index * 5 * 60_000, index, { value }, 'mg/dL', undefined, 'cgm'));
    const level2 = streamed(rules, readings)
      .outcomes.at(-1)!
      .find((outcome) => outcome.rule.id === 'glucose.level2_hypo')!;
    expect(level2.reason).toBe('Level 2 hypoglycaemia: 4 readings below 54 mg/dL over 15 min (lowest 47 mg/dL)');
  });
});
