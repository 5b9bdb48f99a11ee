import { ruleDefinitionSchema, type RuleDefinition } from './rule-definition.schema';

/**
 * Programme defaults, with their sources (../shared/CLINICAL.md). Every number is a default a clinician
 * may override per patient; a changed default gets a new version, and every alert records the version.
 */
const ADA = 'ADA Standards of Care, section 6';
const DEFINITIONS: unknown[] = [
  // Glucose levels: published mg/dL and mmol/L pairs, compared in the unit the device reported.
  { kind: 'threshold', id: 'glucose.level2_hypo', version: 1, group: 'glucose.low', severity: 'urgent', title: 'Level 2 hypoglycaemia', source: ADA,
    metric: 'glucose', field: 'value', comparator: 'below', threshold: { 'mg/dL': 54, 'mmol/L': 3.0 }, clearMargin: { 'mg/dL': 16, 'mmol/L': 0.9 } },
  { kind: 'threshold', id: 'glucose.level1_hypo', version: 1, group: 'glucose.low', severity: 'warning', title: 'Level 1 hypoglycaemia', source: ADA,
    metric: 'glucose', field: 'value', comparator: 'below', threshold: { 'mg/dL': 70, 'mmol/L': 3.9 }, clearMargin: { 'mg/dL': 5, 'mmol/L': 0.3 } },
  { kind: 'threshold', id: 'glucose.level2_hyper', version: 1, group: 'glucose.high', severity: 'warning', title: 'Level 2 hyperglycaemia, check ketones',
    source: 'ADA/EASD 2021; ACP sick-day rules (twice above 250 mg/dL)', metric: 'glucose', field: 'value', comparator: 'above',
    threshold: { 'mg/dL': 250, 'mmol/L': 13.9 }, clearMargin: { 'mg/dL': 20, 'mmol/L': 1.1 }, minConsecutive: 2 },
  { kind: 'threshold', id: 'glucose.hhs_range', version: 1, group: 'glucose.high', severity: 'urgent', title: 'Glucose in HHS range',
    source: 'Umpierrez, Diabetes Care 2024', metric: 'glucose', field: 'value', comparator: 'at_least',
    threshold: { 'mg/dL': 600, 'mmol/L': 33.3 }, clearMargin: { 'mg/dL': 50, 'mmol/L': 2.8 } },
  { kind: 'predicted_low', id: 'glucose.predicted_low', version: 1, severity: 'urgent', title: 'Urgent low soon',
    source: 'Dexcom "Urgent Low Soon"; Nightscout ar2', metric: 'glucose', horizonMinutes: 20, thresholdMgDl: 55, clearMarginMgDl: 10 },
  { kind: 'rate_of_change', id: 'glucose.falling_fast', version: 1, group: 'glucose.falling', severity: 'warning', title: 'Glucose falling fast',
    source: 'Dexcom rate alerts', metric: 'glucose', direction: 'falling', ratePerMinute: 2, minConsecutive: 2, gateMgDl: 150 },
  { kind: 'rate_of_change', id: 'glucose.falling_very_fast', version: 1, group: 'glucose.falling', severity: 'urgent', title: 'Glucose falling very fast',
    source: 'Dexcom rate alerts', metric: 'glucose', direction: 'falling', ratePerMinute: 3, minConsecutive: 2, gateMgDl: 150 },
  { kind: 'missing_data', id: 'glucose.cgm_stale', version: 1, group: 'glucose.cgm_stale', severity: 'warning', title: 'CGM data stale',
    source: 'Nightscout ALARM_TIMEAGO', metric: 'glucose', readingSource: 'cgm', afterMinutes: 15 },
  { kind: 'missing_data', id: 'glucose.cgm_stale_urgent', version: 1, group: 'glucose.cgm_stale', severity: 'urgent', title: 'CGM data stale',
    source: 'Nightscout ALARM_TIMEAGO', metric: 'glucose', readingSource: 'cgm', afterMinutes: 30 },
  { kind: 'glucose_window', id: 'glucose.tir_low', version: 1, severity: 'warning', title: 'Time in range below target',
    source: 'Battelino 2019, Diabetes Care 42:1593', metric: 'glucose', statistic: 'tir', comparator: 'below', percent: 70, windowDays: 14, minCoveragePercent: 70 },
  { kind: 'glucose_window', id: 'glucose.tbr_high', version: 1, severity: 'warning', title: 'Too much time below 70 mg/dL',
    source: 'Battelino 2019', metric: 'glucose', statistic: 'tbr70', comparator: 'above', percent: 4, windowDays: 14, minCoveragePercent: 70 },
  { kind: 'glucose_window', id: 'glucose.cv_high', version: 1, severity: 'warning', title: 'Glucose variability high',
    source: 'Battelino 2019 (CV <= 36%)', metric: 'glucose', statistic: 'cv', comparator: 'above', percent: 36, windowDays: 14, minCoveragePercent: 70 },

  // Blood pressure (mmHg).
  { kind: 'threshold', id: 'bp.crisis_systolic', version: 1, severity: 'urgent', title: 'Hypertensive crisis', source: '2017 ACC/AHA',
    metric: 'blood_pressure', field: 'systolic', comparator: 'above', threshold: { mmHg: 180 }, clearMargin: { mmHg: 10 } },
  { kind: 'threshold', id: 'bp.crisis_diastolic', version: 1, severity: 'urgent', title: 'Hypertensive crisis', source: '2017 ACC/AHA',
    metric: 'blood_pressure', field: 'diastolic', comparator: 'above', threshold: { mmHg: 120 }, clearMargin: { mmHg: 10 } },
  { kind: 'threshold', id: 'bp.low_systolic', version: 1, severity: 'warning', title: 'Low blood pressure', source: 'NEWS2 (systolic <= 90)',
    metric: 'blood_pressure', field: 'systolic', comparator: 'below', threshold: { mmHg: 90 }, clearMargin: { mmHg: 5 } },
  { kind: 'rolling_mean', id: 'bp.home_mean_uncontrolled', version: 1, severity: 'warning', title: 'Home blood pressure above target',
    source: '2017/2025 ACC/AHA home equivalents; Hypertension Canada', metric: 'blood_pressure', windowDays: 7,
    limits: { systolic: 135, diastolic: 85 }, clearMargin: 3, minReadings: 12, discardFirstDay: true },
  { kind: 'missing_data', id: 'bp.no_readings', version: 1, severity: 'warning', title: 'No blood pressure readings',
    source: 'Home protocol: twice a day (Hypertension Canada, ESH)', metric: 'blood_pressure', afterMinutes: 3 * 1440 },

  // Wearables.
  { kind: 'threshold', id: 'spo2.low_urgent', version: 1, group: 'spo2.low', severity: 'urgent', title: 'Low oxygen saturation',
    source: 'NHS England oximetry; BTS 2017', metric: 'spo2', field: 'value', comparator: 'at_most', threshold: { '%': 92 }, clearMargin: { '%': 3 }, minConsecutive: 2 },
  { kind: 'threshold', id: 'spo2.low', version: 1, group: 'spo2.low', severity: 'warning', title: 'Low oxygen saturation',
    source: 'NHS England oximetry; BTS 2017', metric: 'spo2', field: 'value', comparator: 'at_most', threshold: { '%': 94 }, clearMargin: { '%': 2 }, minConsecutive: 2 },
  { kind: 'threshold', id: 'heart_rate.high', version: 1, group: 'heart_rate.high', severity: 'warning', title: 'Heart rate high for 10 min',
    source: 'NEWS2; Apple HT208931 (> 120 for 10 min)', metric: 'heart_rate', field: 'value', comparator: 'above', threshold: { bpm: 120 },
    clearMargin: { bpm: 10 }, minConsecutive: 2, minDurationMinutes: 10 },
  { kind: 'threshold', id: 'heart_rate.very_high', version: 1, group: 'heart_rate.high', severity: 'urgent', title: 'Heart rate very high',
    source: 'NEWS2 (>= 131)', metric: 'heart_rate', field: 'value', comparator: 'at_least', threshold: { bpm: 131 }, clearMargin: { bpm: 10 },
    minConsecutive: 2, minDurationMinutes: 10 },
  { kind: 'threshold', id: 'heart_rate.very_low', version: 1, severity: 'urgent', title: 'Heart rate very low', source: 'NEWS2 (<= 40)',
    metric: 'heart_rate', field: 'value', comparator: 'at_most', threshold: { bpm: 40 }, clearMargin: { bpm: 5 }, minConsecutive: 2 },
];

export const DEFAULT_RULES: readonly RuleDefinition[] = DEFINITIONS.map((definition) => ruleDefinitionSchema.parse(definition));
