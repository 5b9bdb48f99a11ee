import uPlot from 'uplot';

export interface Marker {
  /** Seconds since the epoch. */
  at: number;
  color: string;
  label: string;
  dashed?: boolean;
}

export interface ReferenceLine {
  value: number;
  color: string;
}

export interface SeriesSpec {
  label: string;
  color: string;
  values: (number | null)[];
  /** A min..max band drawn behind the line (downsampled ranges). */
  band?: { min: (number | null)[]; max: (number | null)[] };
}

export interface ChartSpec {
  unit: string;
  times: number[];
  series: SeriesSpec[];
  range: [number, number];
  yRange?: [number, number];
  /** A shaded target range, e.g. glucose 70-180 mg/dL. */
  target?: [number, number];
  lines?: ReferenceLine[];
  markers: Marker[];
  /** The time column's name in the legend (uPlot's default is 'Time'): the patient's page gives its own language's. */
  timeLabel?: string;
  /** A language tag for the month and day names on the time axis and in the legend (uPlot's default: English). */
  locale?: string;
}

/**
 * A time-series chart (uPlot) with the clinical context drawn in: a shaded target range, reference
 * thresholds, and vertical markers for visits and alerts so a reading is always seen beside what
 * happened around it.
 */
export function timeChart(container: HTMLElement, spec: ChartSpec): uPlot {
  const bandSeries = spec.series.flatMap((series) =>
    series.band
      ? [
          { label: `${series.label} min`, values: series.band.min, color: series.color },
          { label: `${series.label} max`, values: series.band.max, color: series.color },
        ]
      : [],
  );
  const data: uPlot.AlignedData = [spec.times, ...spec.series.map((series) => series.values), ...bandSeries.map((series) => series.values)];
  const lineCount = spec.series.length;
  const options: uPlot.Options = {
    width: Math.max(320, container.clientWidth),
    height: 220,
    scales: {
      x: { time: true, range: () => spec.range },
      y: spec.yRange ? { range: (_u, min, max) => [Math.min(spec.yRange![0], min), Math.max(spec.yRange![1], max)] } : {},
    },
    axes: [spec.locale ? { values: axisTimes(spec.locale) } : {}, { label: spec.unit, size: 56 }],
    ...(spec.locale ? { fmtDate: (template: string) => uPlot.fmtDate(template, dateNames(spec.locale!)) } : {}),
    series: [
      {
        ...(spec.timeLabel ? { label: spec.timeLabel } : {}),
        ...(spec.locale ? { value: legendTime(spec.locale) } : {}),
      },
      ...spec.series.map((series) => ({ label: series.label, stroke: series.color, width: 2, spanGaps: false, points: { show: spec.times.length < 60 } })),
      ...bandSeries.map((series) => ({ label: series.label, stroke: 'transparent', show: true, points: { show: false } })),
    ],
    // Each band's min and max series follow the lines in order: [max index, min index] fills between them.
    bands: spec.series
      .filter((series) => series.band)
      .map((series, bandIndex) => ({ series: [lineCount + 2 + bandIndex * 2, lineCount + 1 + bandIndex * 2] as [number, number], fill: `${series.color}33` })),
    legend: { show: true },
    hooks: { drawClear: [(chart) => drawTarget(chart, spec)], draw: [(chart) => drawContext(chart, spec)] },
  };
  const chart = new uPlot(options, data, container);
  new ResizeObserver(() => chart.setSize({ width: Math.max(320, container.clientWidth), height: 220 })).observe(container);
  return chart;
}

/** The legend's time in `locale` (uPlot's default writes an English 12-hour clock). */
function legendTime(locale: string): (chart: uPlot, seconds: number | null) => string {
  const format = new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' });
  return (_chart, seconds) => (seconds === null ? '—' : format.format(new Date(seconds * 1000)));
}

/** The time axis' ticks in `locale` (uPlot's default writes month/day, US order): days, or hours within a day. */
function axisTimes(locale: string): (chart: uPlot, splits: number[]) => string[] {
  const days = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'numeric' });
  const hours = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' });
  return (_chart, splits) => {
    const format = splits.length > 1 && splits[1] - splits[0] < 86_400 ? hours : days;
    return splits.map((at) => format.format(new Date(at * 1000)));
  };
}

/** Month and weekday names in `locale`, for uPlot's date templates ({MMM}, {WWW}, ...). */
function dateNames(locale: string): uPlot.DateNames {
  const names = (options: Intl.DateTimeFormatOptions, dates: Date[]) =>
    dates.map((date) => new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' }).format(date));
  const months = Array.from({ length: 12 }, (_, month) => new Date(Date.UTC(2024, month, 15)));
  const weekdays = Array.from({ length: 7 }, (_, day) => new Date(Date.UTC(2024, 0, 7 + day))); // 7 January 2024 was a Sunday
  return {
    MMMM: names({ month: 'long' }, months),
    MMM: names({ month: 'short' }, months),
    WWWW: names({ weekday: 'long' }, weekdays),
    WWW: names({ weekday: 'short' }, weekdays),
  };
}

function drawTarget(chart: uPlot, spec: ChartSpec): void {
  if (!spec.target) return;
  const { ctx, bbox } = chart;
  const top = chart.valToPos(spec.target[1], 'y', true);
  const bottom = chart.valToPos(spec.target[0], 'y', true);
  ctx.save();
  ctx.fillStyle = 'rgba(46, 160, 67, 0.10)';
  ctx.fillRect(bbox.left, Math.max(bbox.top, top), bbox.width, Math.min(bbox.top + bbox.height, bottom) - Math.max(bbox.top, top));
  ctx.restore();
}

function drawContext(chart: uPlot, spec: ChartSpec): void {
  const { ctx, bbox } = chart;
  ctx.save();
  ctx.lineWidth = 1;
  for (const line of spec.lines ?? []) {
    const y = chart.valToPos(line.value, 'y', true);
    if (y < bbox.top || y > bbox.top + bbox.height) continue;
    ctx.strokeStyle = line.color;
    ctx.setLineDash([4, 4]);
    ctx.beginPath();
    ctx.moveTo(bbox.left, y);
    ctx.lineTo(bbox.left + bbox.width, y);
    ctx.stroke();
  }
  ctx.font = `${Math.round(11 * devicePixelRatio)}px system-ui, sans-serif`;
  const lineHeight = 13 * devicePixelRatio;
  const visible = spec.markers.filter((marker) => {
    const x = chart.valToPos(marker.at, 'x', true);
    return x >= bbox.left && x <= bbox.left + bbox.width;
  });
  // A fortnight of a brittle diabetic can hold dozens of episodes: past a handful, markers are thin
  // ticks without labels (the alert list beside the chart names them) so the readings stay readable.
  const labelled = visible.length <= 6;
  for (const [index, marker] of visible.entries()) {
    const x = chart.valToPos(marker.at, 'x', true);
    ctx.strokeStyle = marker.color;
    ctx.fillStyle = marker.color;
    ctx.setLineDash(marker.dashed ? [6, 4] : []);
    ctx.globalAlpha = labelled || marker.dashed ? 1 : 0.45;
    ctx.lineWidth = (labelled ? 2 : 1) * devicePixelRatio;
    ctx.beginPath();
    ctx.moveTo(x, bbox.top);
    ctx.lineTo(x, bbox.top + bbox.height);
    ctx.stroke();
    ctx.globalAlpha = 1;
    if (!labelled && !marker.dashed) continue;
    // Labels take turns over three rows so neighbouring markers stay legible; near the right edge they go left.
    const width = ctx.measureText(marker.label).width;
    const labelX = x + width + 4 * devicePixelRatio > bbox.left + bbox.width ? x - width - 4 * devicePixelRatio : x + 4 * devicePixelRatio;
    ctx.fillText(marker.label, labelX, bbox.top + lineHeight * (1 + (index % 3)));
  }
  ctx.restore();
}
