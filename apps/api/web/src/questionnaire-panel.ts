import { api } from './api.js';
import { formatDate, formatDateTime, h } from './dom.js';

interface QuestionnaireResponseView {
  id: string;
  title: string;
  total: number;
  maxScore: number;
  band: string;
  answeredAt: string;
}
interface PatientQuestionnaires {
  assigned: { instrument: string; title: string; dueAt: string; due: boolean }[];
  open: { instrument: string; title: string; assignedAt: string; expiresAt: string }[];
  recent: QuestionnaireResponseView[];
}

/** Patient-reported outcomes: what is due, and recent responses with their scores and bands (docs/questionnaires.md). */
export async function renderQuestionnaires(container: HTMLElement, patientId: string): Promise<void> {
  let questionnaires: PatientQuestionnaires;
  try {
    questionnaires = await api<PatientQuestionnaires>(`/patients/${patientId}/questionnaires`);
  } catch {
    // The rest of the page stands without this panel.
    container.replaceChildren(h('p', { class: 'muted' }, 'Questionnaires could not be loaded.'));
    return;
  }
  const { assigned, open, recent } = questionnaires;
  const due = assigned.filter((item) => item.due);
  container.replaceChildren(
    ...(due.length > 0 ? [h('p', { class: 'muted' }, `Due: ${due.map((item) => `${item.title} (since ${formatDate(item.dueAt)})`).join(', ')}`)] : []),
    ...(open.length > 0
      ? [
          h(
            'p',
            { class: 'muted', 'data-open': open.map((item) => item.instrument).join(' ') },
            `Open for the patient: ${open.map((item) => `${item.title} (until ${formatDate(item.expiresAt)})`).join(', ')}`,
          ),
        ]
      : []),
    recent.length === 0
      ? h('p', { class: 'muted' }, 'No questionnaire responses yet.')
      : h(
          'table',
          { class: 'questionnaires' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Answered'), h('th', {}, 'Questionnaire'), h('th', {}, 'Score'), h('th', {}, 'Band'))),
          h(
            'tbody',
            {},
            ...recent.map((response) =>
              h(
                'tr',
                { 'data-response': response.id },
                h('td', {}, formatDateTime(response.answeredAt)),
                h('td', {}, response.title),
                h('td', {}, `${response.total} / ${response.maxScore}`),
                h('td', {}, response.band),
              ),
            ),
          ),
        ),
  );
}
