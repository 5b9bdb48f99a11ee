import type { DeviceReading, NormalizedReading } from '@rpm/contracts';
import { ZodError } from 'zod';
import { normalizeReading } from '../normalize-reading';
import { DEFAULT_RULES } from './default-rules';
import { effectiveRules, evaluateRules, isScheduledRule } from './evaluate-rules';
import { episodeOf, PHYSIOLOGICAL_RANGES, ruleFields, type RuleDefinition } from './rule-definition.schema';
import { MetricStreams } from './streaming';

const PATIENT = '7f1c2e2a-5a8e-4d55-9c43-0d6d1c1d0a11';
const T0 = Date.parse('2026-11-22T08:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const rule = (id: string): RuleDefinition => DEFAULT_RULES.find((candidate) => candidate.id === id)!;

function reading(device: Omit<DeviceReading, 'measuredAt'>, minutes: number): NormalizedReading {
  const normalized = normalizeReading({ ...device, measuredAt: at(minutes) } as DeviceReading);
  if (!normalized.ok) throw new Error(normalized.message);
  return {
    patientId: PATIENT,
    deviceId: 'device-1',
    metric: device.metric,
    measuredAt: at(minutes),
    receivedAt: at(minutes),
    seq: null,
    ...normalized.reading,
  };
}
const meter = (value: number) => ({ metric: 'glucose', value, unit: 'mg/dL', source: 'meter' }) as const;

/** The problems an override gets, as "path: message" (what the API answers 400 with). */
function problems(ruleId: string, params: Record<string, unknown>): string[] {
  try {
    effectiveRules([rule(ruleId)], [{ ruleId, version: 2, params }]);
    return [];
  } catch (error) {
    if (!(error instanceof ZodError)) throw error;
    return error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  }
}

describe('rule overrides are held to physiological ranges, per rule kind, naming the field', () => {
  it.each([
    // rule, params, the field the 400 names (or null: accepted)
    ['glucose.level2_hyper', { threshold: { 'mg/dL': -5 } }, 'threshold.mg/dL'],
    ['glucose.level2_hyper', { threshold: { 'mg/dL': 19 } }, 'threshold.mg/dL'],
    ['glucose.level2_hyper', { threshold: { 'mg/dL': 20 } }, null],
    ['glucose.level2_hyper', { threshold: { 'mg/dL': 600 } }, null],
    ['glucose.level2_hyper', { threshold: { 'mg/dL': 601 } }, 'threshold.mg/dL'],
    ['glucose.level2_hyper', { threshold: { 'mmol/L': 1.1 } }, null],
    ['glucose.level2_hyper', { threshold: { 'mmol/L': 33.3 } }, null],
    ['glucose.level2_hyper', { threshold: { 'mmol/L': 250 } }, 'threshold.mmol/L'],
    ['glucose.level2_hyper', { threshold: { 'mg/L': 2500 } }, 'threshold.mg/L'],
    ['glucose.level2_hyper', { threshold: {} }, 'threshold'],
    ['glucose.level2_hyper', { clearMargin: { 'mg/dL': -1 } }, 'clearMargin.mg/dL'],
    ['glucose.level2_hyper', { minDurationMinutes: -10 }, 'minDurationMinutes'],
    ['glucose.level2_hyper', { minConsecutive: 0 }, 'minConsecutive'],
    ['bp.crisis_systolic', { threshold: { mmHg: 49 } }, 'threshold.mmHg'],
    ['bp.crisis_systolic', { threshold: { mmHg: 50 } }, null],
    ['bp.crisis_systolic', { threshold: { mmHg: 300 } }, null],
    ['bp.crisis_systolic', { threshold: { mmHg: 301 } }, 'threshold.mmHg'],
    ['bp.crisis_diastolic', { threshold: { mmHg: 29 } }, 'threshold.mmHg'],
    ['bp.crisis_diastolic', { threshold: { mmHg: 200 } }, null],
    ['bp.crisis_diastolic', { threshold: { mmHg: 201 } }, 'threshold.mmHg'],
    ['bp.crisis_diastolic', { field: 'pressure' }, 'field'],
    ['heart_rate.high', { threshold: { bpm: 19 } }, 'threshold.bpm'],
    ['heart_rate.high', { threshold: { bpm: 250 } }, null],
    ['heart_rate.high', { threshold: { bpm: 251 } }, 'threshold.bpm'],
    ['spo2.low', { threshold: { '%': 49 } }, 'threshold.%'],
    ['spo2.low', { threshold: { '%': 100 } }, null],
    ['spo2.low', { threshold: { '%': 101 } }, 'threshold.%'],
    ['bp.home_mean_uncontrolled', { limits: { systolic: 400 } }, 'limits.systolic'],
    ['bp.home_mean_uncontrolled', { limits: { diastolic: 29 } }, 'limits.diastolic'],
    ['bp.home_mean_uncontrolled', { limits: { pulse: 100 } }, 'limits.pulse'],
    ['bp.home_mean_uncontrolled', { windowDays: 0 }, 'windowDays'],
    ['glucose.tir_low', { percent: 101 }, 'percent'],
    ['glucose.tir_low', { percent: -1 }, 'percent'],
    ['glucose.tir_low', { minCoveragePercent: 120 }, 'minCoveragePercent'],
    ['glucose.tir_low', { percent: 0 }, null],
    ['glucose.cgm_stale', { afterMinutes: 0 }, 'afterMinutes'],
    ['glucose.cgm_stale', { afterMinutes: -15 }, 'afterMinutes'],
    ['glucose.predicted_low', { thresholdMgDl: 5 }, 'thresholdMgDl'],
    ['glucose.predicted_low', { horizonMinutes: 0 }, 'horizonMinutes'],
    ['glucose.falling_fast', { gateMgDl: 700 }, 'gateMgDl'],
    ['glucose.falling_fast', { ratePerMinute: 0 }, 'ratePerMinute'],
  ])('%s %j -> %s', (ruleId, params, field) => {
    const found = problems(ruleId, params);
    if (field === null) expect(found).toEqual([]);
    else expect(found).toEqual([expect.stringMatching(new RegExp(`^${field.replace(/[.%/]/g, '\\$&')}: .+`))]);
  });

  it('every default lies within the ranges (the ranges refuse typing errors, never a published default)', () => {
    expect(PHYSIOLOGICAL_RANGES.glucose.value['mmol/L']).toEqual([1.1, 33.3]);
    for (const defaults of DEFAULT_RULES) expect(problems(defaults.id, {})).toEqual([]);
  });

  it('says what the range is', () => {
    expect(problems('glucose.level2_hyper', { threshold: { 'mg/dL': -5 } })).toEqual([
      'threshold.mg/dL: glucose value threshold must be from 20 to 600 mg/dL, not -5',
    ]);
  });

  it('lists the fields an override may name, per kind', () => {
    expect(ruleFields('threshold')).toEqual(expect.arrayContaining(['threshold', 'clearMargin', 'minConsecutive', 'minDurationMinutes', 'title']));
    expect(ruleFields('missing_data')).not.toContain('threshold');
  });
});

describe('titles are rendered from the numbers in force', () => {
  it.each([
    ['glucose.level2_hyper', {}, 'Level 2 hyperglycaemia (twice above 250 mg/dL), check ketones'],
    ['glucose.level2_hyper', { threshold: { 'mg/dL': 200 } }, 'Level 2 hyperglycaemia (twice above 200 mg/dL), check ketones'],
    ['glucose.level2_hyper', { threshold: { 'mmol/L': 11.1 }, minConsecutive: 3 }, 'Level 2 hyperglycaemia (3 times above 11.1 mmol/L), check ketones'],
    ['glucose.level2_hyper', { title: 'Own title' }, 'Own title'],
    ['heart_rate.high', { minDurationMinutes: 20 }, 'Heart rate high for 20 min'],
    ['glucose.level2_hypo', { threshold: { 'mg/dL': 50 } }, 'Level 2 hypoglycaemia'],
  ])('%s %j -> %s', (ruleId, params, title) => {
    const [effective] = effectiveRules([rule(ruleId)], [{ ruleId, version: 2, params }]);
    expect(effective.title).toBe(title);
  });

  it('the reason of an alert under a changed threshold cites the new threshold, in the title and the sentence', () => {
    const [changed] = effectiveRules([rule('glucose.level2_hyper')], [{ ruleId: 'glucose.level2_hyper', version: 2, params: { threshold: { 'mg/dL': 200 } } }]);
    const readings = [reading(meter(210), 0), reading(meter(220), 30)];
    const [outcome] = evaluateRules([changed], { now: new Date(at(30)), readings, timeZone: 'UTC' });
    expect(outcome.state).toBe('firing');
    expect(outcome.reason).toContain('twice above 200 mg/dL');
    expect(outcome.reason).not.toContain('250');
  });
});

describe('readings from before a rule came into force count for nothing towards its episodes', () => {
  const changedAt = at(20);
  const [hyper] = effectiveRules([rule('glucose.level2_hyper')], [{ ruleId: 'glucose.level2_hyper', version: 2, params: {}, since: changedAt }]);

  it('a high measured while the rule was off does not make the first high after it "twice"', () => {
    const readings = [reading(meter(300), 10), reading(meter(300), 30)];
    expect(evaluateRules([hyper], { now: new Date(at(30)), readings, timeZone: 'UTC' })[0].state).toBe('undetermined');
    const streams = new MetricStreams([hyper], 'UTC');
    expect(readings.map((item) => streams.push(item)[0].state)).toEqual(['undetermined', 'undetermined']);
    // The second high after the change completes the run.
    const later = reading(meter(300), 40);
    expect(streams.push(later)[0].state).toBe('firing');
    expect(evaluateRules([hyper], { now: new Date(at(40)), readings: [...readings, later], timeZone: 'UTC' })[0].state).toBe('firing');
  });

  it('a rule with no change is unaffected', () => {
    const readings = [reading(meter(300), 10), reading(meter(300), 30)];
    expect(evaluateRules([rule('glucose.level2_hyper')], { now: new Date(at(30)), readings, timeZone: 'UTC' })[0].state).toBe('firing');
  });
});

describe('episodes: rules that describe one condition share one', () => {
  it.each([
    ['bp.crisis_systolic', 'bp.crisis_diastolic', 'bp-crisis'],
    ['glucose.level1_hypo', 'glucose.level2_hypo', 'glucose-low'],
    ['glucose.level2_hyper', 'glucose.hhs_range', 'glucose-high'],
    ['glucose.cgm_stale', 'glucose.cgm_stale_urgent', 'cgm-stale'],
    ['spo2.low', 'spo2.low_urgent', 'spo2-low'],
    ['heart_rate.high', 'heart_rate.very_high', 'heart-rate-high'],
    ['bp.low_systolic', 'bp.low_diastolic', 'bp-low'],
  ])('%s and %s: %s', (a, b, episode) => {
    expect([episodeOf(rule(a)), episodeOf(rule(b))]).toEqual([episode, episode]);
  });

  it('a rule without one is its own episode', () => {
    expect(episodeOf(rule('bp.home_mean_uncontrolled'))).toBe('bp.home_mean_uncontrolled');
  });

  it("an episode's rules share a metric and a trigger (the evaluator sees them in one step)", () => {
    const byEpisode = new Map<string, RuleDefinition[]>();
    for (const each of DEFAULT_RULES) byEpisode.set(episodeOf(each), [...(byEpisode.get(episodeOf(each)) ?? []), each]);
    for (const rules of byEpisode.values()) {
      expect(new Set(rules.map((each) => each.metric)).size).toBe(1);
      expect(new Set(rules.map(isScheduledRule)).size).toBe(1);
    }
  });
});
