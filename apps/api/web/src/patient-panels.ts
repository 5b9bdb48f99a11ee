import { api } from './api.js';
import { formatAgo, formatDate, formatDateTime, h } from './dom.js';
import type { Alert, FollowUp, Summary, Visit } from './types.js';

type Tone = 'good' | 'bad' | 'insufficient' | null;

function card(label: string, value: string, tone: Tone | boolean, target: string): HTMLElement {
  const resolved: Tone = tone === true ? 'good' : tone === false ? 'bad' : tone;
  return h(
    'div',
    { class: `card ${resolved ?? ''}`, 'data-card': label },
    h('span', { class: 'label' }, label),
    h('strong', {}, value),
    h('span', { class: 'muted' }, target),
  );
}

/** CGM metrics mean little below 70 % of possible readings (Battelino 2019): shown greyed, not judged. */
const CGM_MIN_COVERAGE_PERCENT = 70;
/** CPT 99454 judges a whole 30-day period: a patient enrolled more recently is not yet short of it. */
const RPM_PERIOD_DAYS = 30;

/**
 * Whole mmHg, as cuffs read; where rounding would carry a mean below its threshold up to it (134.6 shown as
 * 135 beside "below 135"), one decimal is kept (as libs/clinical's wholeMmHg does for the reports).
 */
export function wholeMmHg(value: number, threshold: number): string {
  const whole = Math.round(value);
  return String(value < threshold && whole >= threshold ? Math.round(value * 10) / 10 : whole);
}

/**
 * Consensus targets (Battelino 2019; 2017 ACC/AHA home 135/85; CPT 99454 16 days) beside each figure. A
 * figure without enough data behind it is greyed and says so rather than coloured as met or missed.
 */
export function summaryCards(summary: Summary, patient?: { createdAt: string }): HTMLElement {
  const cards: HTMLElement[] = [];
  const glucose = summary.glucose;
  if (glucose) {
    const enough = glucose.coveragePercent >= CGM_MIN_COVERAGE_PERCENT;
    const judged = (met: boolean, target: string): [Tone, string] =>
      enough ? [met ? 'good' : 'bad', target] : ['insufficient', `not enough data (CGM ${glucose.coveragePercent}% of 14 days) · ${target}`];
    cards.push(
      card('Time in range 70–180', `${glucose.tir}%`, ...judged(glucose.tir > 70, 'target > 70%')),
      card('Below 70 mg/dL', `${glucose.tbr70}%`, ...judged(glucose.tbr70 < 4, 'target < 4%')),
      card('Below 54 mg/dL', `${glucose.tbr54}%`, ...judged(glucose.tbr54 < 1, 'target < 1%')),
      card('Variability (CV)', `${glucose.cvPercent}%`, ...judged(glucose.cvPercent <= 36, 'target ≤ 36%')),
      card('GMI', `${glucose.gmiPercent}%`, enough ? null : 'insufficient', `mean ${glucose.meanMgDl} mg/dL`),
      card('CGM coverage', `${glucose.coveragePercent}%`, enough, '14 days, target ≥ 70%'),
    );
  }
  const bp = summary.bloodPressure;
  if (bp)
    cards.push(
      card('Home BP, 7-day mean', `${wholeMmHg(bp.systolic, 135)}/${wholeMmHg(bp.diastolic, 85)}`, bp.controlled, `target < 135/85 (${bp.readings} readings)`),
    );
  const { daysWithData, ofDays, meetsRpmThreshold } = summary.adherence;
  const enrolledDays = patient ? Math.floor((Date.now() - new Date(patient.createdAt).getTime()) / 86_400_000) : ofDays;
  const wholePeriod = enrolledDays >= RPM_PERIOD_DAYS;
  cards.push(
    card(
      'Days with data',
      `${daysWithData} of ${ofDays}`,
      meetsRpmThreshold ? 'good' : wholePeriod ? 'bad' : null,
      wholePeriod || meetsRpmThreshold ? 'at least 16' : `at least 16 · enrolled under ${RPM_PERIOD_DAYS} days: not judged yet`,
    ),
  );
  return h('div', { class: 'cards' }, ...cards);
}

function alertCard(patientId: string, alert: Alert, refresh: () => Promise<void>): HTMLElement {
  const base = `/patients/${patientId}/alerts/${alert.id}`;
  const error = h('span', { class: 'error', role: 'alert' });
  const act =
    (action: string, body: unknown = {}) =>
    () => {
      error.textContent = '';
      api(`${base}/${action}`, { method: 'POST', body })
        .then(refresh)
        .catch((failure: Error) => (error.textContent = failure.message));
    };
  const comments = h('ol', { class: 'comments' });
  const note = h('input', { type: 'text', name: 'comment', placeholder: 'Add a note (what was done, who was called)', maxlength: '4000' });
  const loadComments = async () => {
    const { comments: list } = await api<{ comments: { text: string; authorName: string; createdAt: string }[] }>(`${base}/comments`);
    comments.replaceChildren(
      ...list.map((comment) => h('li', {}, h('span', { class: 'muted' }, `${comment.authorName}, ${formatDateTime(comment.createdAt)}: `), comment.text)),
    );
  };
  const open = alert.status === 'open' || alert.status === 'snoozed';
  const element = h(
    'li',
    { class: `alert ${alert.severity} ${alert.status}`, 'data-alert-id': alert.id, 'data-status': alert.status },
    h(
      'div',
      { class: 'alert-head' },
      h('span', { class: `badge ${alert.severity}` }, alert.severity),
      h('strong', {}, alert.title),
      h('span', { class: 'status' }, alert.status),
    ),
    h('p', {}, alert.reason),
    h(
      'p',
      { class: 'muted' },
      `Raised ${formatDateTime(alert.raisedAt)} (${formatAgo(alert.raisedAt)})`,
      // A missing-data alert is raised long after the last reading it speaks of; a run of readings starts before it is raised.
      alert.openedAt !== alert.raisedAt ? ` · ${alert.rule.kind === 'missing_data' ? 'last reading' : 'since'} ${formatDateTime(alert.openedAt)}` : '',
      alert.retrospective ? ' · retrospective, from late readings' : '',
    ),
    h(
      'div',
      { class: 'actions' },
      open ? h('button', { type: 'button', onclick: act('acknowledge') }, 'Acknowledge') : null,
      alert.status !== 'resolved' ? h('button', { type: 'button', class: 'secondary', onclick: act('snooze', { minutes: 60 }) }, 'Snooze 1 h') : null,
      alert.status !== 'resolved' ? h('button', { type: 'button', class: 'secondary', onclick: act('resolve', {}) }, 'Resolve') : null,
      error,
    ),
    comments,
    h(
      'form',
      {
        class: 'comment-form',
        onsubmit: (event) => {
          event.preventDefault();
          if (!note.value.trim()) return;
          api(`${base}/comments`, { method: 'POST', body: { text: note.value } })
            .then(() => ((note.value = ''), loadComments()))
            .catch((failure: Error) => (error.textContent = failure.message));
        },
      },
      note,
    ),
  );
  void loadComments();
  return element;
}

/** Alerts needing action first (open, snoozed), then acknowledged, then the latest resolved. */
export async function renderAlerts(container: HTMLElement, patientId: string, onChange: () => void): Promise<Alert[]> {
  const { alerts } = await api<{ alerts: Alert[] }>(`/patients/${patientId}/alerts?limit=200`);
  const rank: Record<Alert['status'], number> = { open: 0, snoozed: 1, acknowledged: 2, resolved: 3 };
  const ordered = [...alerts].sort((a, b) => rank[a.status] - rank[b.status]);
  const refresh = async () => {
    await renderAlerts(container, patientId, onChange);
    onChange();
  };
  // Every alert still live, then the five latest resolved ones (the API answers newest first).
  const live = ordered.filter((alert) => alert.status !== 'resolved');
  const shown = [...live, ...ordered.filter((alert) => alert.status === 'resolved').slice(0, 5)];
  container.replaceChildren(
    shown.length ? h('ol', { class: 'alerts' }, ...shown.map((alert) => alertCard(patientId, alert, refresh))) : h('p', { class: 'muted' }, 'No alerts.'),
  );
  return alerts;
}

export async function renderFollowUp(container: HTMLElement, patientId: string): Promise<void> {
  let followUp: FollowUp;
  try {
    followUp = await api<FollowUp>(`/patients/${patientId}/follow-up`);
  } catch {
    container.replaceChildren(h('p', { class: 'muted' }, 'Not enrolled on a follow-up pathway.'));
    return;
  }
  const { plan, changes } = followUp;
  const proposed = changes.filter((change) => change.status === 'proposed');
  container.replaceChildren(
    h(
      'dl',
      { class: 'plan' },
      h('dt', {}, 'Pathway'),
      h('dd', {}, plan.pathway.replace('_', ' ')),
      h('dt', {}, 'Risk'),
      h('dd', {}, h('span', { class: `tier ${plan.tier}` }, `${plan.tier[0].toUpperCase()}${plan.tier.slice(1)}`)),
      h('dt', {}, 'Contact'),
      h('dd', {}, `every ${plan.intervalDays} days`),
      h('dt', {}, 'Next due'),
      h('dd', {}, formatDate(plan.nextDueAt), ` (${plan.status.replaceAll('_', ' ')})`),
    ),
    ...proposed.map((change) =>
      h(
        'div',
        { class: 'proposal' },
        h('p', {}, `Proposed: every ${change.fromIntervalDays} → ${change.toIntervalDays} days. ${change.reason}`),
        h(
          'button',
          {
            type: 'button',
            onclick: () =>
              void api(`/patients/${patientId}/follow-up/changes/${change.id}/confirm`, { method: 'POST' }).then(() => renderFollowUp(container, patientId)),
          },
          'Confirm',
        ),
      ),
    ),
  );
}

const VISIT_TYPES = ['telephone', 'video', 'clinic', 'home', 'hospital_discharge'];

/** A contact recorded from the page (a call about an alert, say), in the caller's name; `onRecorded` redraws the history. */
export function visitForm(patientId: string, onRecorded: () => Promise<void>): HTMLElement {
  const type = h('select', { name: 'visit-type' }, ...VISIT_TYPES.map((visitType) => h('option', { value: visitType }, visitType.replace('_', ' '))));
  const outcome = h('input', { type: 'text', name: 'visit-outcome', placeholder: 'Outcome (e.g. dose reduced, review in 1 week)', maxlength: '2000' });
  const error = h('span', { class: 'error', role: 'alert' });
  return h(
    'form',
    {
      class: 'visit-form',
      onsubmit: (event) => {
        event.preventDefault();
        error.textContent = '';
        const body = { occurredAt: new Date().toISOString(), type: type.value, ...(outcome.value.trim() && { outcome: outcome.value.trim() }) };
        api(`/patients/${patientId}/visits`, { method: 'POST', body })
          .then(() => ((outcome.value = ''), onRecorded()))
          .catch((failure: Error) => (error.textContent = failure.message));
      },
    },
    type,
    outcome,
    h('button', { type: 'submit' }, 'Record contact'),
    error,
  );
}

export function renderVisits(container: HTMLElement, visits: Visit[]): void {
  container.replaceChildren(
    visits.length
      ? h(
          'ol',
          { class: 'visits' },
          ...visits.map((visit) =>
            h(
              'li',
              {},
              h('strong', {}, formatDate(visit.occurredAt)),
              ` ${visit.type.replace('_', ' ')}`,
              visit.outcome ? ` — ${visit.outcome}` : '',
              visit.notes ? h('p', { class: 'muted' }, visit.notes) : null,
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'No visits recorded.'),
  );
}
