import uPlot from 'uplot';
import type { AgpReport, HomeBpReport } from './types.js';

/** The AGP v4 palette: greens for the target range, warm for high, reds for low. */
export const RANGE_COLOURS: Record<string, string> = {
  veryHigh: '#e8712b',
  high: '#f6b73c',
  inRange: '#3c9c45',
  low: '#e5413a',
  veryLow: '#8c1616',
};
const MEDIAN = '#1b4f8a';
export const SYSTOLIC = '#cf222e';
export const DIASTOLIC = '#0969da';
const BAND_OUTER = 'rgba(120, 160, 210, 0.30)';
const BAND_INNER = 'rgba(60, 110, 180, 0.45)';
/** Consensus publishes 1 mmol/L = 18 mg/dL pairs; this axis only labels, classification uses mg/dL. */
const MG_DL_PER_MMOL_L = 18.0156;

const hourLabel = (hours: number) => `${String(Math.floor(hours) % 24).padStart(2, '0')}:00`;

/** The target range 70-180 mg/dL drawn as two green lines with a light fill, as the AGP draws it. */
function drawTargetBand(chart: uPlot, low = 70, high = 180): void {
  const { ctx, bbox } = chart;
  const top = chart.valToPos(high, 'y', true);
  const bottom = chart.valToPos(low, 'y', true);
  ctx.save();
  ctx.fillStyle = 'rgba(60, 156, 69, 0.08)';
  ctx.fillRect(bbox.left, top, bbox.width, bottom - top);
  ctx.strokeStyle = RANGE_COLOURS.inRange;
  ctx.lineWidth = devicePixelRatio;
  for (const y of [top, bottom]) {
    ctx.beginPath();
    ctx.moveTo(bbox.left, y);
    ctx.lineTo(bbox.left + bbox.width, y);
    ctx.stroke();
  }
  ctx.restore();
}

/**
 * The modal day: the 5th-95th and 25th-75th percentile bands and the median over 24 hours of local time.
 * Bins with too few readings are gaps (null), never joined across.
 */
export function agpProfileChart(container: HTMLElement, report: AgpReport, width: number): uPlot {
  const half = report.binMinutes / 2;
  const hours = report.profile.map((bin) => (bin.startMinute + half) / 60);
  const pick = (key: 'p5' | 'p25' | 'p50' | 'p75' | 'p95') => report.profile.map((bin) => bin[key]);
  const data: uPlot.AlignedData = [hours, pick('p5'), pick('p25'), pick('p50'), pick('p75'), pick('p95')];
  const quiet = { stroke: 'transparent', points: { show: false }, spanGaps: false };
  return new uPlot(
    {
      width,
      height: 260,
      scales: { x: { time: false, range: [0, 24] }, y: { range: [0, 350] } },
      axes: [
        { values: (_chart, splits) => splits.map(hourLabel), splits: () => [0, 3, 6, 9, 12, 15, 18, 21, 24] },
        { label: 'mg/dL', size: 52, splits: () => [0, 70, 180, 250, 350] },
        {
          side: 1,
          scale: 'y',
          label: 'mmol/L',
          size: 52,
          grid: { show: false },
          splits: () => [0, 70, 180, 250, 350],
          values: (_chart, splits) => splits.map((value) => (value / MG_DL_PER_MMOL_L).toFixed(1)),
        },
      ],
      series: [
        {},
        { label: '5%', ...quiet },
        { label: '25%', ...quiet },
        { label: 'Median', stroke: MEDIAN, width: 2.5, points: { show: false }, spanGaps: false },
        { label: '75%', ...quiet },
        { label: '95%', ...quiet },
      ],
      bands: [
        { series: [5, 1], fill: BAND_OUTER },
        { series: [4, 2], fill: BAND_INNER },
      ],
      legend: { show: false },
      cursor: { show: false },
      hooks: { drawClear: [(chart) => drawTargetBand(chart)] },
    },
    data,
    container,
  );
}

/** One day's trace, small and without axes, over the same 0-350 mg/dL scale and target band as the modal day. */
export function dailyGlucoseChart(container: HTMLElement, points: [number, number][], width: number): uPlot {
  const data: uPlot.AlignedData = [points.map(([minute]) => minute / 60), points.map(([, value]) => value)];
  return new uPlot(
    {
      width,
      height: 70,
      scales: { x: { time: false, range: [0, 24] }, y: { range: [0, 350] } },
      axes: [{ show: false }, { show: false }],
      series: [{}, { stroke: MEDIAN, width: 1.2, points: { show: false } }],
      legend: { show: false },
      cursor: { show: false },
      padding: [2, 2, 2, 2],
      hooks: { drawClear: [(chart) => drawTargetBand(chart)] },
    },
    data,
    container,
  );
}

/** Every home reading of the period as points, day by day, with the 135/85 thresholds as dashed lines. */
export function homeBpChart(container: HTMLElement, report: HomeBpReport, width: number): uPlot {
  const rows = report.days.flatMap((day, index) =>
    day.points.map(([minute, systolic, diastolic]) => ({ x: index + minute / 1440, systolic, diastolic, discarded: day.discarded })),
  );
  const data: uPlot.AlignedData = [rows.map((row) => row.x), rows.map((row) => row.systolic), rows.map((row) => row.diastolic)];
  const dotted = (colour: string) => ({ stroke: colour, fill: colour, width: 0, paths: () => null, points: { show: true, size: 7, fill: colour } });
  return new uPlot(
    {
      width,
      height: 240,
      scales: { x: { time: false, range: [0, Math.max(1, report.days.length)] }, y: { range: [50, 200] } },
      axes: [
        {
          splits: () => report.days.map((_, index) => index + 0.5),
          values: (_chart, splits) => splits.map((split) => report.days[Math.floor(split)]?.date.slice(5) ?? ''),
        },
        { label: 'mmHg', size: 52 },
      ],
      series: [{}, { label: 'Systolic', ...dotted(SYSTOLIC) }, { label: 'Diastolic', ...dotted(DIASTOLIC) }],
      legend: { show: false },
      cursor: { show: false },
      hooks: {
        draw: [
          (chart) => {
            const { ctx, bbox } = chart;
            ctx.save();
            ctx.setLineDash([5, 4]);
            ctx.strokeStyle = '#9a6700';
            ctx.lineWidth = devicePixelRatio;
            for (const value of [report.target.systolic, report.target.diastolic]) {
              const y = chart.valToPos(value, 'y', true);
              ctx.beginPath();
              ctx.moveTo(bbox.left, y);
              ctx.lineTo(bbox.left + bbox.width, y);
              ctx.stroke();
            }
            // The discarded first day is shaded: its readings are shown but count in no mean.
            const first = report.days.findIndex((day) => day.discarded);
            if (first >= 0) {
              const left = chart.valToPos(first, 'x', true);
              const right = chart.valToPos(first + 1, 'x', true);
              ctx.fillStyle = 'rgba(101, 109, 118, 0.12)';
              ctx.fillRect(left, bbox.top, right - left, bbox.height);
            }
            ctx.restore();
          },
        ],
      },
    },
    data,
    container,
  );
}
