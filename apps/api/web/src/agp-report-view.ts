import { api } from './api.js';
import { h } from './dom.js';
import { agpProfileChart, dailyGlucoseChart, RANGE_COLOURS } from './report-charts.js';
import { renderReportFrame, reportWidth } from './report-frame.js';
import type { AgpReport } from './types.js';

const WEEKDAY = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });

/** "3 h 22 min" a day: the AGP states each range's share as time of the day too. */
function perDay(percent: number): string {
  const minutes = Math.round((percent / 100) * 1440);
  return minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
}

function metricsPanel(report: AgpReport): HTMLElement {
  const { metrics, sufficiency } = report;
  const row = (label: string, value: string, note = '') => [
    h('dt', {}, label),
    h('dd', {}, h('strong', {}, value), note ? h('span', { class: 'muted' }, ` ${note}`) : null),
  ];
  return h(
    'section',
    { class: `agp-metrics${sufficiency.sufficient ? '' : ' insufficient'}`, 'aria-label': 'Glucose statistics and targets' },
    h('h2', {}, 'Glucose statistics'),
    h(
      'dl',
      {},
      ...row('Time CGM active', `${sufficiency.coveragePercent}%`, `target ≥ ${sufficiency.minimumCoveragePercent}%`),
      ...row('Days with CGM data', `${sufficiency.daysWithData} of ${sufficiency.ofDays}`),
      ...(metrics
        ? [
            ...row('Mean glucose', `${metrics.meanMgDl} mg/dL`, `(${metrics.meanMmolL} mmol/L)`),
            ...row('Glucose management indicator (GMI)', `${metrics.gmiPercent}%`),
            ...row('Glucose variability (CV)', `${metrics.cvPercent}%`, 'target ≤ 36%'),
            ...row('CGM readings', String(metrics.readings)),
          ]
        : []),
    ),
  );
}

/** The stacked bar of the five ranges, very high on top, each with its share, its time a day and its target. */
function rangesPanel(report: AgpReport): HTMLElement {
  const ranges = report.ranges ?? [];
  const bar = h('div', { class: 'tir-bar', role: 'img', 'aria-label': 'Time in ranges' });
  for (const range of ranges) {
    const segment = h('div', { class: `tir-segment ${range.key}`, 'data-range': range.key, 'data-percent': String(range.percent) });
    // CSSOM, not a style attribute: the page's CSP allows no inline styles.
    segment.style.flexGrow = String(range.percent);
    segment.style.background = RANGE_COLOURS[range.key];
    bar.append(segment);
  }
  const labels = h(
    'ol',
    { class: 'tir-labels' },
    ...ranges.map((range) =>
      h(
        'li',
        { 'data-range': range.key },
        h('span', { class: 'swatch', 'data-range': range.key }),
        h('span', { class: 'range-name' }, `${range.label} `, h('span', { class: 'muted' }, `${range.mgDl} mg/dL (${range.mmolL} mmol/L)`)),
        h('strong', { class: 'range-percent' }, `${range.percent}%`),
        h(
          'span',
          { class: 'muted range-target' },
          `${perDay(range.percent)} a day · target ${range.target.comparator} ${range.target.percent}% (${range.target.of})`,
        ),
      ),
    ),
  );
  for (const swatch of labels.querySelectorAll<HTMLElement>('.swatch')) swatch.style.background = RANGE_COLOURS[swatch.dataset.range ?? ''];
  return h(
    'section',
    { class: `agp-ranges${report.sufficiency.sufficient ? '' : ' insufficient'}`, 'aria-label': 'Time in ranges' },
    h('h2', {}, 'Time in ranges'),
    ranges.length ? h('div', { class: 'tir' }, bar, labels) : h('p', { class: 'muted' }, 'No CGM readings.'),
  );
}

function profilePanel(report: AgpReport, width: number): HTMLElement {
  const figure = h('figure', {
    class: 'chart agp-profile',
    'data-points': String(report.profile.length),
    'data-bins-with-data': String(report.binsWithData),
  });
  const section = h(
    'section',
    { class: 'agp-profile-section' },
    h('h2', {}, 'Ambulatory glucose profile'),
    h(
      'p',
      { class: 'muted' },
      `Median, 25–75% and 5–95% of the readings in each ${report.binMinutes}-minute bin of the day (local time), not smoothed; `,
      'the green lines mark the target range 70–180 mg/dL (3.9–10.0 mmol/L).',
    ),
    figure,
  );
  if (report.binsWithData === 0) figure.append(h('p', { class: 'no-data' }, 'Not enough CGM data to draw a profile.'));
  else agpProfileChart(figure, report, width);
  return section;
}

function dailyPanel(report: AgpReport, width: number): HTMLElement {
  // Seven a row, 6 px apart, each inside a 1 px border and 2 px padding.
  const cell = Math.floor((width - 6 * 6) / 7) - 6;
  const grid = h('div', { class: 'daily-grid' });
  const section = h('section', { class: 'agp-daily' }, h('h2', {}, 'Daily glucose profiles'), grid);
  for (const day of report.dailyProfiles) {
    const plot = h('div', { class: 'daily-plot' });
    grid.append(
      h(
        'figure',
        { class: 'daily', 'data-date': day.date, 'data-points': String(day.points.length) },
        h('figcaption', {}, WEEKDAY.format(new Date(`${day.date}T00:00:00Z`))),
        plot,
        h('span', { class: 'muted' }, day.tir === null ? 'no data' : `${day.tir}% in range`),
      ),
    );
    if (day.points.length) dailyGlucoseChart(plot, day.points, cell);
  }
  return section;
}

/** The AGP report of a patient (Battelino 2019 consensus, AGP v4 layout), printable on A4. */
export function renderAgpReport(root: HTMLElement, patientId: string): Promise<void> {
  return renderReportFrame(root, patientId, 'AGP report: continuous glucose monitoring', 14, async (body, from, to) => {
    const report = await api<AgpReport>(`/patients/${patientId}/reports/agp?from=${from.toISOString()}&to=${to.toISOString()}`);
    const width = reportWidth(body);
    body.replaceChildren(
      report.sufficiency.message ? h('p', { class: 'notice insufficient-notice', role: 'status' }, `Not enough data: ${report.sufficiency.message}`) : '',
      h('div', { class: 'agp-top' }, metricsPanel(report), rangesPanel(report)),
      profilePanel(report, width),
      dailyPanel(report, width),
      h(
        'p',
        { class: 'muted report-source' },
        'Targets for most adults with type 1 or type 2 diabetes (Battelino et al., Diabetes Care 2019;42:1593); ',
        'older or high-risk adults: time in range > 50%, below 70 mg/dL < 1%. GMI = 3.31 + 0.02392 × mean glucose (mg/dL).',
      ),
    );
  });
}
