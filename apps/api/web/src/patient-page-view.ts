import { timeChart } from './charts.js';
import { h } from './dom.js';

interface Option {
  value: number;
  label: string;
}
interface PatientPage {
  days: number;
  glucose: { timeInRangePercent: number; readings: number; hourly: { at: string; meanMgDl: number }[] } | null;
  bloodPressure: { last: { systolic: number; diastolic: number; measuredAt: string }; readings: { at: string; systolic: number; diastolic: number }[] } | null;
  followUp: { dueAt: string; confirmToken: string | null; rescheduleToken: string | null } | null;
  questionnaires: { instrument: string; title: string; stem: string; dueAt: string; items: { linkId: string; text: string; options: Option[] }[] }[];
}

const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const longDate = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long' });
const seconds = (iso: string): number => new Date(iso).getTime() / 1000;

/** The patient's calls carry their link's token in the path, never a session: a refused link shows as such. */
async function call<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401 || response.status === 404)
    throw new Error('This link is not valid or has expired. Please use the link in your latest reminder.');
  if (!response.ok) throw new Error('Something went wrong. Please try again.');
  return (await response.json()) as T;
}

/**
 * The patient's own page (/p/<token>), phone first: the last fortnight in plain words and a simple chart,
 * the next check-in to confirm or ask to move, and the questionnaires that are due.
 */
export async function renderPatientPage(root: HTMLElement, token: string): Promise<void> {
  const base = `/p/${encodeURIComponent(token)}`;
  const page = await call<PatientPage>(`${base}/page`);
  const readings = h('section', { class: 'patient-readings' }, h('h2', {}, `Your last ${page.days} days`));
  if (!page.glucose && !page.bloodPressure) readings.append(h('p', { class: 'muted' }, 'No readings from you in the last two weeks.'));
  if (page.glucose) {
    readings.append(
      h('p', { class: 'plain', 'data-glucose': '' }, `Your glucose was in range ${page.glucose.timeInRangePercent}% of the time this fortnight.`),
    );
  }
  if (page.bloodPressure) {
    const last = page.bloodPressure.last;
    readings.append(
      h(
        'p',
        { class: 'plain', 'data-bp': '' },
        `Your last blood pressure was ${last.systolic}/${last.diastolic} on ${weekday.format(new Date(last.measuredAt))}.`,
      ),
    );
  }
  root.replaceChildren(
    h('section', { class: 'patient-page' }, h('h1', {}, 'Your health at home'), readings, followUpSection(page), questionnairesSection(page, base)),
  );
  const to = Date.now() / 1000;
  const range: [number, number] = [to - page.days * 86_400, to];
  if (page.glucose && page.glucose.hourly.length > 0) {
    const figure = h('figure', { class: 'chart' }, h('figcaption', {}, 'Glucose (mg/dL) — the shaded band is your target range'));
    readings.append(figure);
    timeChart(figure, {
      unit: 'mg/dL',
      times: page.glucose.hourly.map((point) => seconds(point.at)),
      series: [{ label: 'Glucose', color: '#0969da', values: page.glucose.hourly.map((point) => point.meanMgDl) }],
      range,
      target: [70, 180],
      markers: [],
    });
  }
  if (page.bloodPressure && page.bloodPressure.readings.length > 0) {
    const figure = h('figure', { class: 'chart' }, h('figcaption', {}, 'Blood pressure (mmHg)'));
    readings.append(figure);
    const bp = page.bloodPressure.readings;
    timeChart(figure, {
      unit: 'mmHg',
      times: bp.map((reading) => seconds(reading.at)),
      series: [
        { label: 'Upper', color: '#d1242f', values: bp.map((reading) => reading.systolic) },
        { label: 'Lower', color: '#0969da', values: bp.map((reading) => reading.diastolic) },
      ],
      range,
      markers: [],
    });
  }
}

function followUpSection(page: PatientPage): HTMLElement {
  const section = h('section', { class: 'patient-follow-up' }, h('h2', {}, 'Your next check-in'));
  const followUp = page.followUp;
  if (!followUp) {
    section.append(h('p', { class: 'muted' }, 'No check-in is planned.'));
    return section;
  }
  section.append(h('p', { class: 'plain', 'data-due': followUp.dueAt }, `Your care team will contact you on ${longDate.format(new Date(followUp.dueAt))}.`));
  const status = h('p', { class: 'status', role: 'status' });
  const buttons = () => section.querySelectorAll('button');
  const act = (action: 'confirm' | 'reschedule', linkToken: string) => () => {
    for (const button of buttons()) button.disabled = true;
    call(`/p/${encodeURIComponent(linkToken)}/${action}`, {})
      .then(() => {
        status.textContent = action === 'confirm' ? 'Thank you — your check-in is confirmed.' : 'Thank you — a nurse will call you to find a better time.';
      })
      .catch((error: Error) => {
        status.textContent = error.message;
        for (const button of buttons()) button.disabled = false;
      });
  };
  if (followUp.confirmToken && followUp.rescheduleToken) {
    section.append(
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', onclick: act('confirm', followUp.confirmToken) }, 'Confirm'),
        h('button', { type: 'button', class: 'secondary', onclick: act('reschedule', followUp.rescheduleToken) }, 'Ask to reschedule'),
      ),
    );
  }
  section.append(status);
  return section;
}

function questionnairesSection(page: PatientPage, base: string): HTMLElement {
  const section = h('section', { class: 'patient-questionnaires' }, h('h2', {}, 'Questions for you'));
  if (page.questionnaires.length === 0) section.append(h('p', { class: 'muted' }, 'Nothing to answer right now. Thank you!'));
  for (const due of page.questionnaires) {
    const status = h('p', { class: 'status', role: 'status' });
    const form = h(
      'form',
      { class: 'questionnaire', 'data-instrument': due.instrument },
      h('h3', {}, due.title),
      h('p', { class: 'muted' }, due.stem),
      ...due.items.map((item) =>
        h(
          'fieldset',
          {},
          h('legend', {}, item.text),
          ...item.options.map((option) =>
            h('label', {}, h('input', { type: 'radio', name: item.linkId, value: String(option.value), required: true }), ` ${option.label}`),
          ),
        ),
      ),
      h('button', { type: 'submit' }, 'Send my answers'),
      status,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const answers: Record<string, number> = {};
      for (const item of due.items) {
        const chosen = form.querySelector<HTMLInputElement>(`input[name="${CSS.escape(item.linkId)}"]:checked`);
        if (chosen) answers[item.linkId] = Number(chosen.value);
      }
      const submit = form.querySelector('button')!;
      submit.disabled = true;
      call<{ alerts: unknown[] }>(`${base}/questionnaires/${encodeURIComponent(due.instrument)}/responses`, { answers })
        .then((recorded) => {
          form.replaceChildren(h('h3', {}, due.title), h('p', { class: 'status', role: 'status' }, 'Thank you — your answers were sent to your care team.'));
          // An answer that alerts the care team (a self-harm answer above all): say so, and where help is now.
          if (recorded.alerts.length > 0)
            form.append(
              h(
                'p',
                { class: 'notice', role: 'alert' },
                'Your care team has been told and will contact you. If you need help now, call your emergency number.',
              ),
            );
        })
        .catch((error: Error) => {
          status.textContent = error.message;
          submit.disabled = false;
        });
    });
    section.append(form);
  }
  return section;
}
