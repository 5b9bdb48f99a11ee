import { api } from './api.js';
import { h } from './dom.js';
import { homeBpChart } from './report-charts.js';
import { renderReportFrame, reportWidth } from './report-frame.js';
import type { HomeBpReport } from './types.js';

type Mean = { systolic: number; diastolic: number; readings: number } | null;
const mmHg = (mean: Mean) => (mean ? `${mean.systolic}/${mean.diastolic}` : '—');

/** The home blood-pressure report (ESH 2023), in whole mmHg as the API rounds it, printable on A4. */
export function renderHomeBpReport(root: HTMLElement, patientId: string): Promise<void> {
  return renderReportFrame(root, patientId, 'Home blood-pressure report', 7, async (body, from, to) => {
    const report = await api<HomeBpReport>(`/patients/${patientId}/reports/home-bp?from=${from.toISOString()}&to=${to.toISOString()}`);
    const { mean, target } = report;
    const verdict = mean
      ? mean.controlled
        ? { text: `Controlled: below ${target.systolic}/${target.diastolic} mmHg`, tone: 'good' }
        : { text: `Not controlled: at or above ${target.systolic}/${target.diastolic} mmHg`, tone: 'bad' }
      : { text: report.message ?? 'No mean.', tone: 'insufficient' };
    const plot = h('figure', { class: 'chart home-bp-chart', 'data-points': String(report.days.reduce((sum, day) => sum + day.points.length, 0)) });
    body.replaceChildren(
      h(
        'section',
        { class: `bp-mean ${verdict.tone}`, 'aria-label': 'Home blood-pressure mean' },
        h('h2', {}, 'Home mean'),
        h(
          'p',
          { class: 'bp-figure' },
          h('strong', { 'data-mean': mean ? `${mean.systolic}/${mean.diastolic}` : '' }, mean ? `${mmHg(mean)} mmHg` : 'not enough data'),
        ),
        h('p', { class: 'bp-verdict' }, verdict.text),
        h(
          'dl',
          {},
          h('dt', {}, 'Morning mean'),
          h('dd', {}, `${mmHg(report.morning)} mmHg`, h('span', { class: 'muted' }, ` (${report.morning?.readings ?? 0} readings)`)),
          h('dt', {}, 'Evening mean'),
          h('dd', {}, `${mmHg(report.evening)} mmHg`, h('span', { class: 'muted' }, ` (${report.evening?.readings ?? 0} readings)`)),
          h('dt', {}, 'Readings in the mean'),
          h('dd', {}, mean ? `${mean.readingsInMean} of ${mean.readings}` : '—'),
          h('dt', {}, 'Readings per day'),
          h('dd', {}, report.readingsPerDay === null ? '—' : `${report.readingsPerDay}`, h('span', { class: 'muted' }, ' (ESH: 2 morning + 2 evening)')),
        ),
      ),
      h(
        'section',
        {},
        h('h2', {}, 'Readings'),
        h(
          'p',
          { class: 'muted bp-legend' },
          h('span', { class: 'dot systolic' }, '●'),
          ' systolic · ',
          h('span', { class: 'dot diastolic' }, '●'),
          ` diastolic · dashed: ${target.systolic}/${target.diastolic} mmHg · shaded: the first day, left out of the means`,
        ),
        plot,
      ),
      h(
        'section',
        {},
        h('h2', {}, 'Day by day'),
        h(
          'table',
          { class: 'bp-days' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Date'), h('th', {}, 'Readings'), h('th', {}, 'Morning'), h('th', {}, 'Evening'), h('th', {}, ''))),
          h(
            'tbody',
            {},
            ...report.days.map((day) =>
              h(
                'tr',
                { class: day.discarded ? 'discarded' : '', 'data-date': day.date },
                h('td', {}, day.date),
                h('td', {}, String(day.readings)),
                h('td', {}, mmHg(day.morning)),
                h('td', {}, mmHg(day.evening)),
                h('td', { class: 'muted' }, day.discarded ? 'first day: not in the mean' : ''),
              ),
            ),
          ),
        ),
      ),
      h(
        'p',
        { class: 'muted report-source' },
        `Home protocol (ESH 2023): duplicate readings morning (before noon here) and evening for up to 7 days; the first day is discarded; `,
        `a mean of ${target.systolic}/${target.diastolic} mmHg or more is hypertension. Whole mmHg, except where rounding would carry a mean below the threshold up to it.`,
      ),
    );
    if (report.days.some((day) => day.points.length)) homeBpChart(plot, report, reportWidth(body));
    else plot.append(h('p', { class: 'no-data' }, 'No home blood-pressure readings in this period.'));
  });
}
