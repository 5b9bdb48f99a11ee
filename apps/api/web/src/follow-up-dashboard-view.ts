import type { FollowUpDashboardResponse } from '@rpm/contracts';
import { api, ApiError, session } from './api.js';
import { timeChart } from './charts.js';
import { formatDate, h } from './dom.js';

type Figures = FollowUpDashboardResponse['totals'];
type SatisfactionSummary = Pick<
  FollowUpDashboardResponse['satisfaction'],
  'responses' | 'meanSatisfaction' | 'helpedPercent' | 'recommendPercent' | 'patientIds'
>;
type FigureKey = Exclude<keyof Figures, 'patients' | 'acknowledgement'>;

/** The figures in the order shown, each with what "good" is (for the card's colour) and what it counts. */
const FIGURES: { key: FigureKey; label: string; of: string; good?: (percent: number) => boolean }[] = [
  { key: 'coverage', label: 'Coverage', of: 'patients with enough data', good: (percent) => percent >= 70 },
  { key: 'completion', label: 'Due contacts completed', of: 'due contacts', good: (percent) => percent >= 80 },
  { key: 'overdue', label: 'Overdue', of: 'patients with a plan' },
  { key: 'missed', label: 'Missed (> 90 days)', of: 'patients with a plan' },
  { key: 'lostToFollowUp', label: 'Lost to follow-up', of: 'patients with a plan' },
  { key: 'bloodPressureControl', label: 'Home BP < 135/85', of: 'patients measured', good: (percent) => percent >= 70 },
  { key: 'timeInRangeControl', label: 'CGM time in range > 70%', of: 'patients on CGM', good: (percent) => percent >= 70 },
  { key: 'readmissions', label: 'Readmitted ≤ 30 days', of: 'discharges' },
];
const STATUS: Record<string, string> = { scheduled: 'on schedule', overdue: 'overdue', missed: 'missed', lost_to_follow_up: 'lost to follow-up' };
const shown = (percent: number | null) => (percent === null ? '—' : `${percent}%`);
const minutes = (value: number | null) => (value === null ? '—' : `${value} min`);
const CHANNELS: Record<string, string> = { sms: 'SMS', email: 'E-mail', webhook: 'App push (webhook)', voice: 'Voice call' };
const score = (value: number | null) => (value === null ? '—' : `${value} / 5`);

/** Fetches the CSV with the session's token and hands it to the browser as a download. */
async function downloadCsv(query: string): Promise<void> {
  const response = await fetch(`/follow-up/dashboard.csv?${query}`, { headers: { authorization: `Bearer ${session.token ?? ''}` } });
  if (!response.ok) throw new ApiError(response.status, response.statusText);
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'follow-up-dashboard.csv';
  const link = h('a', { href: URL.createObjectURL(await response.blob()), download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

/**
 * The follow-up centre's dashboard (#/follow-up): the figures of the caller's care teams as the API computes
 * them, the weekly trend of overdue / missed / lost, the figures per care team and per clinician; any figure
 * opens the list of the patients behind it; the whole can be downloaded as CSV.
 */
export async function renderFollowUpDashboard(root: HTMLElement, weeks = 12, careTeamId = ''): Promise<void> {
  const query = new URLSearchParams({ weeks: String(weeks), ...(careTeamId ? { careTeamId } : {}) }).toString();
  const dashboard = await api<FollowUpDashboardResponse>(`/follow-up/dashboard?${query}`);
  const names = new Map(dashboard.patients.map((patient) => [patient.patientId, patient]));
  const drill = h('section', { class: 'drill-down', hidden: true });

  function showPatients(title: string, patientIds: string[]): void {
    drill.hidden = false;
    drill.replaceChildren(
      h('h2', {}, `${title}: ${patientIds.length} patient${patientIds.length === 1 ? '' : 's'}`),
      patientIds.length === 0
        ? h('p', { class: 'muted' }, 'No patients.')
        : h(
            'table',
            { class: 'worklist' },
            h('thead', {}, h('tr', {}, h('th', {}, 'Patient'), h('th', {}, 'Care team'), h('th', {}, 'Responsible'), h('th', {}, 'Follow-up'))),
            h(
              'tbody',
              {},
              ...patientIds.map((id) => {
                const patient = names.get(id);
                return h(
                  'tr',
                  { 'data-patient-id': id },
                  h('td', {}, h('a', { href: `#/patients/${id}` }, patient?.displayName ?? id)),
                  h('td', {}, patient?.careTeam ?? ''),
                  h('td', {}, patient?.clinician ?? 'unassigned'),
                  h('td', {}, patient?.status ? STATUS[patient.status] : 'no plan'),
                );
              }),
            ),
          ),
    );
    drill.scrollIntoView({ block: 'nearest' });
  }

  const cards = h(
    'div',
    { class: 'cards dashboard-cards' },
    ...FIGURES.map(({ key, label, of, good }) => {
      const figure = dashboard.totals[key];
      const tone = good && figure.percent !== null ? (good(figure.percent) ? 'good' : 'bad') : '';
      return h(
        'button',
        {
          type: 'button',
          class: `card figure ${tone}`,
          'data-figure': key,
          'data-count': String(figure.count),
          onclick: () => showPatients(label, figure.patientIds),
        },
        h('span', { class: 'label' }, label),
        h('strong', {}, `${figure.count}`),
        h('span', { class: 'muted' }, `of ${figure.of} ${of} · ${shown(figure.percent)}`),
      );
    }),
    h(
      'button',
      {
        type: 'button',
        class: 'card figure',
        'data-figure': 'acknowledgement',
        'data-count': String(dashboard.totals.acknowledgement.acknowledged),
        onclick: () => showPatients('Alerts acknowledged', dashboard.totals.acknowledgement.patientIds),
      },
      h('span', { class: 'label' }, 'Time to acknowledge'),
      h('strong', {}, minutes(dashboard.totals.acknowledgement.medianMinutes)),
      h(
        'span',
        { class: 'muted' },
        `median · p90 ${minutes(dashboard.totals.acknowledgement.p90Minutes)} · ${dashboard.totals.acknowledgement.acknowledged} alert${dashboard.totals.acknowledgement.acknowledged === 1 ? '' : 's'}`,
      ),
    ),
  );

  const groupTable = (title: string, kind: string, groups: { id: string | null; name: string; figures: Figures }[]) =>
    h(
      'section',
      {},
      h('h2', {}, title),
      h(
        'table',
        { class: 'worklist dashboard-groups', 'data-groups': kind },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, kind === 'care-team' ? 'Care team' : 'Clinician'),
            h('th', {}, 'Patients'),
            ...FIGURES.map(({ label }) => h('th', {}, label)),
            h('th', {}, 'Acknowledge (median / p90)'),
          ),
        ),
        h(
          'tbody',
          {},
          ...groups.map((group) =>
            h(
              'tr',
              { 'data-group': group.id ?? 'unassigned' },
              h('td', {}, group.name),
              h('td', {}, group.figures.patients),
              ...FIGURES.map(({ key, label }) => {
                const figure = group.figures[key];
                return h(
                  'td',
                  {},
                  h(
                    'button',
                    { type: 'button', class: 'link', 'data-figure': key, onclick: () => showPatients(`${label} — ${group.name}`, figure.patientIds) },
                    `${figure.count}/${figure.of}`,
                  ),
                  figure.percent === null ? null : h('span', { class: 'muted' }, ` ${figure.percent}%`),
                );
              }),
              h('td', {}, `${minutes(group.figures.acknowledgement.medianMinutes)} / ${minutes(group.figures.acknowledgement.p90Minutes)}`),
            ),
          ),
        ),
      ),
    );

  const weeksSelect = h(
    'select',
    { name: 'weeks', 'aria-label': 'Weeks' },
    ...[4, 12, 26, 52].map((value) => h('option', { value: String(value), ...(value === weeks ? { selected: true } : {}) }, `last ${value} weeks`)),
  );
  const teamSelect = h(
    'select',
    { name: 'careTeamId', 'aria-label': 'Care team' },
    h('option', { value: '' }, 'all my care teams'),
    ...dashboard.byCareTeam.map((team) => h('option', { value: team.careTeamId, ...(team.careTeamId === careTeamId ? { selected: true } : {}) }, team.name)),
  );
  const reload = () => void renderFollowUpDashboard(root, Number(weeksSelect.value), teamSelect.value);
  weeksSelect.addEventListener('change', reload);
  teamSelect.addEventListener('change', reload);
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const exportButton = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      'data-action': 'export-csv',
      onclick: () =>
        void downloadCsv(query).catch((failure: Error) => {
          error.hidden = false;
          error.textContent = `Could not export: ${failure.message}`;
        }),
    },
    'Download CSV',
  );

  // The satisfaction survey after contacts: the figures, per care team and clinician, and a weekly chart.
  const satisfaction = dashboard.satisfaction;
  const satisfactionRows = (kind: string, groups: { id: string | null; name: string; summary: SatisfactionSummary }[]) =>
    groups.map(({ id, name, summary }) =>
      h(
        'tr',
        { 'data-group': `${kind}:${id ?? 'unknown'}` },
        h('td', {}, kind === 'care-team' ? 'Care team' : 'Clinician'),
        h('td', {}, name),
        h(
          'td',
          {},
          h('button', { type: 'button', class: 'link', onclick: () => showPatients(`Satisfaction survey — ${name}`, summary.patientIds) }, summary.responses),
        ),
        h('td', {}, score(summary.meanSatisfaction)),
        h('td', {}, shown(summary.helpedPercent)),
        h('td', {}, shown(summary.recommendPercent)),
      ),
    );
  const satisfactionChart = h('div', { class: 'trend-chart' });
  const satisfactionSection = h(
    'section',
    { class: 'satisfaction', 'data-panel': 'satisfaction' },
    h('h2', {}, 'Satisfaction after contacts'),
    h(
      'div',
      { class: 'cards dashboard-cards' },
      h(
        'button',
        {
          type: 'button',
          class: 'card figure',
          'data-figure': 'satisfaction',
          'data-count': String(satisfaction.responses),
          onclick: () => showPatients('Satisfaction survey answered', satisfaction.patientIds),
        },
        h('span', { class: 'label' }, 'Mean satisfaction'),
        h('strong', {}, score(satisfaction.meanSatisfaction)),
        h('span', { class: 'muted' }, `${satisfaction.responses} response${satisfaction.responses === 1 ? '' : 's'} to the survey after a contact`),
      ),
      h(
        'div',
        { class: 'card figure' },
        h('span', { class: 'label' }, 'The contact helped'),
        h('strong', {}, shown(satisfaction.helpedPercent)),
        h('span', { class: 'muted' }, 'answered yes'),
      ),
      h(
        'div',
        { class: 'card figure' },
        h('span', { class: 'label' }, 'Would recommend'),
        h('strong', {}, shown(satisfaction.recommendPercent)),
        h('span', { class: 'muted' }, 'answered yes'),
      ),
    ),
    h(
      'table',
      { class: 'worklist', 'data-table': 'satisfaction-groups' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, ''),
          h('th', {}, 'Group'),
          h('th', {}, 'Responses'),
          h('th', {}, 'Mean (1-5)'),
          h('th', {}, 'Helped'),
          h('th', {}, 'Would recommend'),
        ),
      ),
      h(
        'tbody',
        {},
        ...satisfactionRows(
          'care-team',
          satisfaction.byCareTeam.map((team) => ({ id: team.careTeamId, name: team.name, summary: team })),
        ),
        ...satisfactionRows(
          'clinician',
          satisfaction.byClinician.map((clinician) => ({
            id: clinician.clinicianId,
            name: clinician.name,
            summary: clinician,
          })),
        ),
      ),
    ),
    h('figure', { class: 'chart', 'data-chart': 'satisfaction-trend' }, h('figcaption', {}, 'Week by week: mean satisfaction (1-5)'), satisfactionChart),
  );

  // Reminders to patients per channel, and how many the patient answered within 7 days.
  const channelSection = h(
    'section',
    { class: 'response-by-channel', 'data-panel': 'response-by-channel' },
    h('h2', {}, 'Reminder response per channel'),
    h(
      'p',
      { class: 'muted' },
      'Reminders sent to patients in the period, and those the patient answered within 7 days: confirmed or asked to reschedule through the link, or answered a questionnaire.',
    ),
    dashboard.responseByChannel.length === 0
      ? h('p', { class: 'muted' }, 'No reminders sent to patients in the period.')
      : h(
          'table',
          { class: 'worklist', 'data-table': 'response-by-channel' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', {}, 'Channel'),
              h('th', {}, 'Sent'),
              h('th', {}, 'Responded ≤ 7 days'),
              h('th', {}, 'Awaiting'),
              h('th', {}, 'Response rate'),
              h('th', {}, ''),
            ),
          ),
          h(
            'tbody',
            {},
            ...dashboard.responseByChannel.map((row) =>
              h(
                'tr',
                { 'data-channel': row.channel },
                h('td', {}, CHANNELS[row.channel] ?? row.channel),
                h('td', {}, row.sent),
                h('td', {}, row.responded),
                h('td', {}, row.awaiting),
                h('td', { class: 'rate' }, shown(row.percent)),
                h('td', {}, h('meter', { min: '0', max: '100', value: String(row.percent ?? 0), 'aria-label': `${row.channel} response rate` })),
              ),
            ),
          ),
        ),
  );

  const chart = h('div', { class: 'trend-chart' });
  root.replaceChildren(
    h(
      'section',
      { class: 'follow-up-dashboard' },
      h('h1', {}, 'Follow-up centre'),
      h(
        'p',
        { class: 'muted' },
        `${dashboard.totals.patients} patients, ${formatDate(dashboard.from)} – ${formatDate(dashboard.to)}. Select a figure to see its patients.`,
      ),
      h('div', { class: 'report-controls' }, weeksSelect, teamSelect, exportButton),
      error,
      cards,
      drill,
      h(
        'figure',
        { class: 'chart', 'data-chart': 'follow-up-trend' },
        h('figcaption', {}, 'Week by week: patients overdue, missed and lost, and contacts completed'),
        chart,
      ),
      h(
        'details',
        { class: 'trend-table' },
        h('summary', {}, 'The weeks as numbers'),
        h(
          'table',
          { class: 'worklist' },
          h(
            'thead',
            {},
            h('tr', {}, h('th', {}, 'Week ending'), h('th', {}, 'Overdue'), h('th', {}, 'Missed'), h('th', {}, 'Lost'), h('th', {}, 'Contacts completed')),
          ),
          h(
            'tbody',
            {},
            ...dashboard.trend.map((week) =>
              h(
                'tr',
                {},
                h('td', {}, formatDate(week.weekEnd)),
                h('td', {}, week.overdue),
                h('td', {}, week.missed),
                h('td', {}, week.lostToFollowUp),
                h('td', {}, week.contactsCompleted),
              ),
            ),
          ),
        ),
      ),
      satisfactionSection,
      channelSection,
      groupTable(
        'Per care team',
        'care-team',
        dashboard.byCareTeam.map((team) => ({ id: team.careTeamId, name: team.name, figures: team.figures })),
      ),
      groupTable(
        'Per clinician',
        'clinician',
        dashboard.byClinician.map((clinician) => ({ id: clinician.clinicianId, name: clinician.name, figures: clinician.figures })),
      ),
    ),
  );
  const times = dashboard.trend.map((week) => new Date(week.weekEnd).getTime() / 1000);
  // Contacts first, so the status lines are drawn over them where they meet.
  timeChart(chart, {
    unit: 'count',
    times,
    range: [times[0] - 3.5 * 86_400, times[times.length - 1] + 3.5 * 86_400],
    yRange: [0, 1],
    series: [
      { label: 'Contacts completed', color: '#1a7f37', values: dashboard.trend.map((week) => week.contactsCompleted) },
      { label: 'Lost to follow-up', color: '#6e40c9', values: dashboard.trend.map((week) => week.lostToFollowUp) },
      { label: 'Missed', color: '#d1242f', values: dashboard.trend.map((week) => week.missed) },
      { label: 'Overdue', color: '#9a6700', values: dashboard.trend.map((week) => week.overdue) },
    ],
    markers: [],
  });
  timeChart(satisfactionChart, {
    unit: 'mean (1-5)',
    times,
    range: [times[0] - 3.5 * 86_400, times[times.length - 1] + 3.5 * 86_400],
    yRange: [1, 5],
    series: [{ label: 'Mean satisfaction', color: '#0969da', values: satisfaction.trend.map((week) => week.meanSatisfaction) }],
    markers: [],
  });
}
