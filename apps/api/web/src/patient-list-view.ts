import { followAlertStream } from './alert-feed.js';
import { api } from './api.js';
import { formatAgo, formatDate, h } from './dom.js';
import type { Alert, AlertChange, Page, WorklistPatient } from './types.js';

const PROGRAMMES: Record<string, string> = { diabetes: 'Diabetes', hypertension: 'Hypertension', post_surgery: 'After surgery', wearables: 'Wearables' };
export const programmeName = (programme: string): string => PROGRAMMES[programme] ?? programme;

function alertBadges(patient: WorklistPatient): HTMLElement {
  const { urgent, warning, info } = patient.openAlerts;
  if (urgent + warning + info === 0) return h('span', { class: 'muted' }, 'none open');
  return h(
    'span',
    {},
    urgent ? h('span', { class: 'badge urgent' }, `${urgent} urgent`) : null,
    warning ? h('span', { class: 'badge warning' }, `${warning} warning`) : null,
    info ? h('span', { class: 'badge info' }, `${info} info`) : null,
  );
}

function followUpCell(patient: WorklistPatient): HTMLElement {
  if (!patient.followUp) return h('span', { class: 'muted' }, 'no plan');
  const { tier, intervalDays, nextDueAt, overdue } = patient.followUp;
  return h(
    'span',
    {},
    h('span', { class: `tier ${tier}` }, `${tier[0].toUpperCase()}${tier.slice(1)} risk`),
    ` every ${intervalDays} d, next ${formatDate(nextDueAt)}`,
    overdue ? h('span', { class: 'badge urgent' }, 'overdue') : null,
  );
}

/** The worklist: the caller's patients as the API ranks them (open urgent alerts, warnings, risk, overdue), with a live feed. */
export async function renderPatientList(root: HTMLElement, signal: AbortSignal): Promise<void> {
  const rows = h('tbody');
  const status = h('p', { class: 'muted' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Show more');
  const feed = h('ol', { class: 'feed', 'aria-live': 'polite' });
  const patientsById = new Map<string, WorklistPatient>();
  let loaded = 0;

  const row = (patient: WorklistPatient) =>
    h(
      'tr',
      { 'data-patient-id': patient.id },
      h('td', {}, h('a', { href: `#/patients/${patient.id}` }, patient.displayName)),
      h('td', {}, programmeName(patient.programme)),
      h('td', {}, alertBadges(patient)),
      h('td', {}, formatAgo(patient.lastAlertAt)),
      h('td', {}, followUpCell(patient)),
    );

  async function load(reset: boolean): Promise<void> {
    const offset = reset ? 0 : loaded;
    const { patients, page } = await api<{ patients: WorklistPatient[]; page: Page }>(`/patients?limit=50&offset=${offset}`);
    if (reset) rows.replaceChildren();
    for (const patient of patients) patientsById.set(patient.id, patient);
    rows.append(...patients.map(row));
    loaded = offset + patients.length;
    status.textContent =
      page.total === 0 ? 'No patients in your care teams yet.' : `${page.total} patient${page.total === 1 ? '' : 's'}, most in need of attention first.`;
    more.hidden = loaded >= page.total;
  }
  more.addEventListener('click', () => void load(false));

  root.replaceChildren(
    h(
      'div',
      { class: 'layout' },
      h(
        'section',
        { class: 'main' },
        h('h1', {}, 'Patients'),
        status,
        h(
          'table',
          { class: 'worklist' },
          h(
            'thead',
            {},
            h('tr', {}, h('th', {}, 'Patient'), h('th', {}, 'Programme'), h('th', {}, 'Open alerts'), h('th', {}, 'Last alert'), h('th', {}, 'Follow-up')),
          ),
          rows,
        ),
        more,
      ),
      h(
        'aside',
        { class: 'side' },
        h('h2', {}, 'Live alerts'),
        h('p', { class: 'muted' }, 'Changes to your patients’ alerts appear here as they happen.'),
        feed,
      ),
    ),
  );
  await load(true);

  // The stream says which alert changed; the list and the alert itself say whose it is and what it means.
  followAlertStream((change: AlertChange) => {
    void Promise.all([load(true), api<{ alerts: Alert[] }>(`/patients/${change.patientId}/alerts?limit=20`)]).then(([, { alerts }]) => {
      const alert = alerts.find((candidate) => candidate.id === change.alertId);
      const name = patientsById.get(change.patientId)?.displayName ?? 'A patient';
      feed.prepend(
        h(
          'li',
          { class: `feed-${change.status}` },
          alert ? h('span', { class: `badge ${alert.severity}` }, alert.severity) : null,
          h('a', { href: `#/patients/${change.patientId}` }, name),
          ` — ${alert?.title ?? 'alert'} ${change.status}, ${new Date().toLocaleTimeString()}`,
        ),
      );
    });
  }, signal);
}
