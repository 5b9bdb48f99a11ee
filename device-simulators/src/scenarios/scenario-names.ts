/**
 * Scenarios on demand. The first three change a patient's physiology; the others change how a device talks
 * to the gateway. Each one is something the platform must handle and a test or a demo wants to see.
 */
export const SCENARIOS = ['hypo', 'hyper', 'bp-crisis', 'offline-backfill', 'clock-skew', 'bad-payloads', 'duplicates'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** The alerts (docs/alert-rules.md) a scenario should raise, for the summary. */
export const EXPECTED_ALERTS: Record<Scenario, string> = {
  hypo: 'glucose.level2_hypo (urgent: < 54 mg/dL for >= 15 min), with glucose.level1_hypo and falling-glucose alerts on the way down',
  hyper: 'glucose.level2_hyper (warning: > 250 mg/dL twice, check ketones)',
  'bp-crisis': 'bp.crisis_systolic and bp.crisis_diastolic (urgent: > 180 / > 120 mmHg, re-measured after 5 min)',
  'offline-backfill': 'none for the backfill itself (readings arrive late, oldest first); a live CGM gap may raise glucose.cgm_stale',
  'clock-skew': 'none: readings more than 5 min ahead are refused with future_timestamp, readings behind are stored at the wrong time',
  'bad-payloads': 'none: every bad message is refused with its code on the reply topic',
  duplicates: 'none: every re-sent reading is stored once',
};
