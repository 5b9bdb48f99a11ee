import { api } from './api.js';
import { timeChart, type ChartSpec, type Marker, type ReferenceLine, type SeriesSpec } from './charts.js';
import { h } from './dom.js';
import type { Alert, NormalizedReading, ReadingBucket, Visit } from './types.js';

interface MetricChart {
  metric: 'glucose' | 'blood_pressure' | 'heart_rate' | 'spo2' | 'steps';
  title: string;
  unit: string;
  fields: { field: string; label: string; color: string }[];
  /** Alerts whose rule id starts with this are marked on the chart. */
  rulePrefix: string;
  target?: [number, number];
  lines?: ReferenceLine[];
  yRange?: [number, number];
}

const RED = '#d1242f';
const AMBER = '#bf8700';

/** Thresholds drawn are the platform's default rules (docs/alert-rules.md), so the picture matches the alerts. */
export const METRIC_CHARTS: MetricChart[] = [
  {
    metric: 'glucose',
    title: 'Glucose',
    unit: 'mg/dL',
    fields: [{ field: 'value', label: 'Glucose', color: '#0969da' }],
    rulePrefix: 'glucose.',
    target: [70, 180], // Battelino 2019 time in range
    lines: [
      { value: 54, color: RED },
      { value: 250, color: AMBER },
    ],
    yRange: [40, 300],
  },
  {
    metric: 'blood_pressure',
    title: 'Blood pressure',
    unit: 'mmHg',
    fields: [
      { field: 'systolic', label: 'Systolic', color: '#cf222e' },
      { field: 'diastolic', label: 'Diastolic', color: '#0969da' },
    ],
    rulePrefix: 'bp.',
    lines: [
      { value: 135, color: AMBER },
      { value: 85, color: AMBER },
      { value: 180, color: RED },
    ], // home targets 135/85; crisis > 180
    yRange: [50, 190],
  },
  {
    metric: 'heart_rate',
    title: 'Heart rate',
    unit: 'bpm',
    fields: [{ field: 'value', label: 'Heart rate', color: '#8250df' }],
    rulePrefix: 'heart_rate.',
    lines: [
      { value: 40, color: RED },
      { value: 120, color: AMBER },
    ],
    yRange: [40, 140],
  },
  {
    metric: 'spo2',
    title: 'Oxygen saturation',
    unit: '%',
    fields: [{ field: 'value', label: 'SpO2', color: '#1a7f37' }],
    rulePrefix: 'spo2.',
    lines: [
      { value: 94, color: AMBER },
      { value: 92, color: RED },
    ],
    yRange: [85, 100],
  },
  { metric: 'steps', title: 'Steps', unit: 'steps', fields: [{ field: 'value', label: 'Steps', color: '#57606a' }], rulePrefix: 'steps.' },
];

const SEVERITY_COLOURS: Record<Alert['severity'], string> = { urgent: RED, warning: AMBER, info: '#57606a' };
const seconds = (iso: string) => new Date(iso).getTime() / 1000;

/** Up to 14 days the page draws every reading; longer ranges come downsampled (min/mean/max per bucket). */
const RAW_LIMIT_DAYS = 14;

async function seriesFor(patientId: string, chart: MetricChart, from: Date, to: Date): Promise<{ times: number[]; series: SeriesSpec[]; points: number }> {
  const range = `from=${from.toISOString()}&to=${to.toISOString()}`;
  if (to.getTime() - from.getTime() <= RAW_LIMIT_DAYS * 86_400_000) {
    const { readings } = await api<{ readings: NormalizedReading[] }>(`/patients/${patientId}/readings?metric=${chart.metric}&${range}&limit=10000`);
    return {
      times: readings.map((reading) => seconds(reading.measuredAt)),
      series: chart.fields.map((field) => ({ ...field, values: readings.map((reading) => reading.values[field.field] ?? null) })),
      points: readings.length,
    };
  }
  const { buckets } = await api<{ buckets: ReadingBucket[] }>(`/patients/${patientId}/readings/aggregate?metric=${chart.metric}&${range}`);
  const pick = (field: string, statistic: 'min' | 'mean' | 'max') => buckets.map((bucket) => bucket.fields[field]?.[statistic] ?? null);
  return {
    times: buckets.map((bucket) => seconds(bucket.bucketStart)),
    series: chart.fields.map((field) => ({
      ...field,
      label: `${field.label} (mean)`,
      values: pick(field.field, 'mean'),
      band: { min: pick(field.field, 'min'), max: pick(field.field, 'max') },
    })),
    points: buckets.reduce((sum, bucket) => sum + bucket.count, 0),
  };
}

function markersFor(chart: MetricChart, alerts: Alert[], visits: Visit[]): Marker[] {
  return [
    ...visits.map((visit) => ({ at: seconds(visit.occurredAt), color: '#0969da', label: `Visit (${visit.type.replace('_', ' ')})`, dashed: true })),
    ...alerts
      .filter((alert) => alert.ruleId.startsWith(chart.rulePrefix))
      .map((alert) => ({ at: seconds(alert.openedAt), color: SEVERITY_COLOURS[alert.severity], label: alert.title })),
  ];
}

/** One chart per metric the patient has readings of in the range; metrics without readings say so in one line. */
export async function renderCharts(container: HTMLElement, patientId: string, from: Date, to: Date, alerts: Alert[], visits: Visit[]): Promise<void> {
  const results = await Promise.all(METRIC_CHARTS.map(async (chart) => ({ chart, data: await seriesFor(patientId, chart, from, to) })));
  const empty = results.filter(({ data }) => data.points === 0).map(({ chart }) => chart.title.toLowerCase());
  container.replaceChildren();
  for (const { chart, data } of results.filter(({ data }) => data.points > 0)) {
    const plot = h('div', { class: 'plot' });
    container.append(
      h(
        'figure',
        { class: 'chart', 'data-metric': chart.metric, 'data-points': String(data.points) },
        h('figcaption', {}, `${chart.title} (${chart.unit})`, h('span', { class: 'muted' }, ` ${data.points} readings`)),
        plot,
      ),
    );
    const spec: ChartSpec = {
      unit: chart.unit,
      times: data.times,
      series: data.series,
      range: [from.getTime() / 1000, to.getTime() / 1000],
      yRange: chart.yRange,
      target: chart.target,
      lines: chart.lines,
      markers: markersFor(chart, alerts, visits),
    };
    timeChart(plot, spec);
  }
  if (empty.length) container.append(h('p', { class: 'muted' }, `No ${empty.join(', ')} readings in this range.`));
}
