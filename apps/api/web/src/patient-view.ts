import { followAlertStream } from './alert-feed.js';
import { api } from './api.js';
import { h } from './dom.js';
import { renderCharts } from './patient-charts.js';
import { programmeName } from './patient-list-view.js';
import { renderAlerts, renderFollowUp, renderVisits, summaryCards, visitForm } from './patient-panels.js';
import { renderQuestionnaires } from './questionnaire-panel.js';
import type { Alert, Patient, Summary, Visit } from './types.js';

const RANGES = [
  { label: '24 h', days: 1 },
  { label: '7 days', days: 7 },
  { label: '14 days', days: 14 },
  { label: '30 days', days: 30 },
  { label: '90 days', days: 90 },
];

/** One patient: summaries, charts with visits and alerts marked, the alerts to act on, the follow-up plan, the visits. */
export async function renderPatient(root: HTMLElement, patientId: string, signal: AbortSignal): Promise<void> {
  const [patient, summary, { visits: firstVisits }] = await Promise.all([
    api<Patient>(`/patients/${patientId}`),
    api<Summary>(`/patients/${patientId}/summary`),
    api<{ visits: Visit[] }>(`/patients/${patientId}/visits?limit=200`),
  ]);
  let days = 14;
  let visits = firstVisits;
  let alerts: Alert[] = [];
  const charts = h('div', { class: 'charts' }, h('p', { class: 'muted' }, 'Loading readings…'));
  const alertsPanel = h('div', {});
  const followUpPanel = h('div', {});
  const questionnairePanel = h('div', { 'data-panel': 'questionnaires' });
  const visitsPanel = h('div', {});
  const rangeButtons = h('div', { class: 'ranges', role: 'group', 'aria-label': 'Range' });

  const drawCharts = async () => {
    const to = new Date();
    await renderCharts(charts, patientId, new Date(to.getTime() - days * 86_400_000), to, alerts, visits);
  };
  const drawRanges = () =>
    rangeButtons.replaceChildren(
      ...RANGES.map((range) =>
        h(
          'button',
          {
            type: 'button',
            class: range.days === days ? 'selected' : 'secondary',
            'aria-pressed': String(range.days === days),
            onclick: () => {
              days = range.days;
              drawRanges();
              void drawCharts();
            },
          },
          range.label,
        ),
      ),
    );
  const refreshVisits = async () => {
    visits = (await api<{ visits: Visit[] }>(`/patients/${patientId}/visits?limit=200`)).visits;
    renderVisits(visitsPanel, visits);
    await drawCharts();
  };
  const refreshAlerts = async () => {
    alerts = await renderAlerts(alertsPanel, patientId, () => void drawCharts());
  };

  root.replaceChildren(
    h(
      'div',
      { class: 'layout' },
      h(
        'section',
        { class: 'main' },
        h('p', {}, h('a', { href: '#/patients' }, '← All patients')),
        h('h1', {}, patient.displayName),
        h('p', { class: 'muted' }, `${programmeName(patient.programme)} · time zone ${patient.timeZone}`),
        h(
          'p',
          { class: 'report-links' },
          'Printable reports: ',
          h('a', { href: `#/patients/${patientId}/agp` }, 'AGP report'),
          ' · ',
          h('a', { href: `#/patients/${patientId}/home-bp` }, 'Home BP report'),
          ' · ',
          h('a', { href: `#/patients/${patientId}/enrol`, class: 'enrol-action' }, 'Enrol a device'),
        ),
        summaryCards(summary, patient),
        rangeButtons,
        charts,
      ),
      h(
        'aside',
        { class: 'side' },
        h('h2', {}, 'Alerts'),
        alertsPanel,
        h('h2', {}, 'Follow-up plan'),
        followUpPanel,
        h('h2', {}, 'Questionnaires'),
        questionnairePanel,
        h('h2', {}, 'Visits'),
        visitForm(patientId, refreshVisits),
        visitsPanel,
      ),
    ),
  );
  drawRanges();
  renderVisits(visitsPanel, visits);
  await Promise.all([refreshAlerts(), renderFollowUp(followUpPanel, patientId), renderQuestionnaires(questionnairePanel, patientId)]);
  await drawCharts();

  followAlertStream((change) => {
    if (change.patientId === patientId) void refreshAlerts().then(drawCharts);
  }, signal);
}
