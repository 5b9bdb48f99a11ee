import type { FollowUpWorklist } from '@rpm/contracts';
import { api } from './api.js';
import { formatDate, h } from './dom.js';

type Item = FollowUpWorklist['items'][number];

const OUTCOMES: Record<string, string> = {
  reached: 'Reached',
  no_answer: 'No answer',
  wrong_number: 'Wrong number',
  declined: 'Declined',
  rescheduled: 'Rescheduled',
};
const STATUS: Record<string, string> = { scheduled: 'due', overdue: 'overdue', missed: 'missed', lost_to_follow_up: 'lost to follow-up' };
/** The stored status, kept current by the daily job; a contact still on schedule is due today or, until the job's next run, due. */
const statusLabel = (item: Item): string =>
  item.status !== 'scheduled' ? STATUS[item.status] : item.dueAt.slice(0, 10) === new Date().toISOString().slice(0, 10) ? 'due today' : 'due';
const PATHWAYS: Record<string, string> = { diabetes: 'Diabetes', hypertension: 'Hypertension', post_surgery: 'After surgery' };

/**
 * The nurse worklist (#/worklist): contacts due today or overdue across the care team, and patients who asked
 * to reschedule or stopped uploading ("no readings since", before their due day), most overdue first, with the responsible staff member and the call attempts against the current due date. A call's outcome is
 * recorded from the row (a reached patient's contact is then recorded as a visit on their page); a contact
 * that cannot be made is escalated to the doctor with a reason.
 */
export async function renderNurseWorklist(root: HTMLElement): Promise<void> {
  const rows = h('tbody');
  const status = h('p', { class: 'muted' });

  const row = (item: Item): HTMLElement => {
    const error = h('span', { class: 'error', role: 'alert' });
    const outcome = h(
      'select',
      { name: 'outcome', 'aria-label': 'Call outcome' },
      ...Object.entries(OUTCOMES).map(([value, label]) => h('option', { value }, label)),
    );
    const attempts = h('td', { class: 'attempts' }, item.attempts);
    const lastOutcome = h('td', { class: 'last-outcome' }, item.lastOutcome ? OUTCOMES[item.lastOutcome] : '—');
    const record = h('button', { type: 'button', 'data-action': 'record-call' }, 'Record call');
    record.addEventListener('click', () => {
      record.disabled = true;
      error.textContent = '';
      api<{ attempts: number }>(`/patients/${item.patientId}/follow-up/call-attempts`, { method: 'POST', body: { outcome: outcome.value } })
        .then((result) => {
          attempts.textContent = String(result.attempts);
          lastOutcome.textContent = OUTCOMES[outcome.value];
        })
        .catch((failure: Error) => (error.textContent = failure.message))
        .finally(() => (record.disabled = false));
    });
    const escalated = h('td', { class: 'escalated' }, item.escalated ? h('span', { class: 'badge urgent' }, 'escalated') : '—');
    const escalate = h(
      'button',
      { type: 'button', class: 'secondary', 'data-action': 'escalate', ...(item.escalated ? { disabled: true } : {}) },
      'Escalate to doctor',
    );
    escalate.addEventListener('click', () => {
      const reason = window.prompt('Why does the doctor need to see this patient?', item.attempts ? `${item.attempts} call attempts without a contact` : '');
      if (!reason) return;
      escalate.disabled = true;
      api(`/patients/${item.patientId}/follow-up/escalate`, { method: 'POST', body: { reason } })
        .then(() => escalated.replaceChildren(h('span', { class: 'badge urgent' }, 'escalated')))
        .catch((failure: Error) => {
          escalate.disabled = false;
          error.textContent = failure.message;
        });
    });
    return h(
      'tr',
      { 'data-patient-id': item.patientId, 'data-status': item.status },
      h('td', {}, h('a', { href: `#/patients/${item.patientId}` }, item.displayName)),
      h('td', {}, item.careTeam),
      h('td', {}, PATHWAYS[item.pathway] ?? item.pathway, ' · ', h('span', { class: `tier ${item.tier}` }, item.tier)),
      h(
        'td',
        {},
        formatDate(item.dueAt),
        ' ',
        h('span', { class: `badge ${item.status === 'scheduled' ? 'info' : item.status === 'overdue' ? 'warning' : 'urgent'}` }, statusLabel(item)),
        // The patient answered their reminder's link asking for another date: the call agrees one.
        ...(item.rescheduleRequested ? [' ', h('span', { class: 'badge warning', 'data-flag': 'reschedule-requested' }, 'asked to reschedule')] : []),
        ...(item.noReadings
          ? [
              ' ',
              h(
                'span',
                { class: 'badge warning', 'data-flag': 'no-readings', title: item.noReadings.reason },
                `no readings since ${formatDate(item.noReadings.since)}`,
              ),
            ]
          : []),
      ),
      h('td', {}, item.assignedName ?? h('span', { class: 'muted' }, 'unassigned')),
      attempts,
      lastOutcome,
      escalated,
      h('td', { class: 'call' }, outcome, ' ', record, ' ', escalate, ' ', error),
    );
  };

  root.replaceChildren(
    h(
      'section',
      { class: 'nurse-worklist' },
      h('h1', {}, 'Follow-up worklist'),
      status,
      h(
        'table',
        { class: 'worklist' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, 'Patient'),
            h('th', {}, 'Care team'),
            h('th', {}, 'Pathway'),
            h('th', {}, 'Due'),
            h('th', {}, 'Responsible'),
            h('th', {}, 'Attempts'),
            h('th', {}, 'Last outcome'),
            h('th', {}, 'Escalated'),
            h('th', {}, 'Call'),
          ),
        ),
        rows,
      ),
    ),
  );
  const { items } = await api<FollowUpWorklist>('/follow-up/worklist');
  rows.replaceChildren(...items.map(row));
  status.textContent =
    items.length === 0
      ? 'No contacts due today or overdue.'
      : `${items.length} contact${items.length === 1 ? '' : 's'} due today or overdue, or patients who asked to reschedule or stopped uploading; most overdue first.`;
}
