import { timeChart } from './charts.js';
import { h } from './dom.js';
import type { PatientPageData, PatientPageText } from './types.js';

const seconds = (iso: string): number => new Date(iso).getTime() / 1000;
/** Fills the `{name}` marks of a text from the API's string table. */
const fill = (text: string, values: Record<string, string | number>): string => text.replace(/\{(\w+)\}/g, (_, key: string) => String(values[key] ?? ''));
/** The languages the page has texts in; the browser's choice decides only before a link names the patient. */
const browserLanguage = (): string => (navigator.language || 'en').slice(0, 2).toLowerCase();

class PageError extends Error {
  constructor(
    readonly kind: 'link' | 'busy' | 'other',
    message: string,
  ) {
    super(message);
  }
}

/** The patient's calls carry their link's token in the path, never a session: a refused link shows as such. */
async function call<T>(path: string, text: PatientPageText | null, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401 || response.status === 404) throw new PageError('link', text?.linkInvalid ?? 'This link is not valid or has expired.');
  if (response.status === 429) throw new PageError('busy', text?.tooManyRequests ?? 'Too many attempts. Please wait a minute and try again.');
  // A contact that has taken place or passed (410), a survey already answered (409): the API's sentence, in the patient's language.
  if (response.status === 409 || response.status === 410)
    throw new PageError('other', ((await response.json()) as { message?: string }).message ?? text?.somethingWrong ?? 'Something went wrong.');
  if (!response.ok) throw new PageError('other', text?.somethingWrong ?? 'Something went wrong. Please try again.');
  return (await response.json()) as T;
}

/** The texts of the browser's language (or English), for the pages shown before a link names the patient. */
async function textFor(language: string): Promise<{ language: string; text: PatientPageText }> {
  return call<{ language: string; text: PatientPageText }>(`/p/text/${encodeURIComponent(language)}`, null);
}

/**
 * The patient's own page (/p/<token>), phone first: the last fortnight in plain words and a simple chart,
 * the next check-in to confirm or ask to move, and the questionnaires that are due. Its fixed texts come with
 * the page, in the patient's recorded language. A refused link shows the form to get a new one.
 */
export async function renderPatientPage(root: HTMLElement, token: string): Promise<void> {
  const base = `/p/${encodeURIComponent(token)}`;
  let page: PatientPageData;
  try {
    page = await call<PatientPageData>(`${base}/page`, null);
  } catch (error) {
    if (!(error instanceof PageError) || error.kind !== 'link') throw error;
    const { language, text } = await textFor(browserLanguage());
    document.documentElement.lang = language;
    root.replaceChildren(h('section', { class: 'patient-page' }, h('p', { class: 'error', role: 'alert' }, text.linkInvalid), signInForm(text, language)));
    return;
  }
  const text = page.text;
  document.documentElement.lang = page.language;
  // The whole date, not an abbreviated weekday: "lun." / "Mo." end in a dot of their own (the sentence's made it "lun.."),
  // and a weekday alone is ambiguous over a fortnight.
  const longDate = new Intl.DateTimeFormat(page.language, { weekday: 'long', day: 'numeric', month: 'long' });
  const readings = h('section', { class: 'patient-readings' }, h('h2', {}, fill(text.readingsHeading, { days: page.days })));
  if (!page.glucose && !page.bloodPressure) readings.append(h('p', { class: 'muted' }, text.noReadings));
  if (page.glucose) {
    readings.append(h('p', { class: 'plain', 'data-glucose': '' }, fill(text.glucoseInRange, { percent: page.glucose.timeInRangePercent })));
  }
  if (page.bloodPressure) {
    const last = page.bloodPressure.last;
    readings.append(
      h(
        'p',
        { class: 'plain', 'data-bp': '' },
        fill(text.lastBloodPressure, { systolic: last.systolic, diastolic: last.diastolic, day: longDate.format(new Date(last.measuredAt)) }),
      ),
    );
  }
  root.replaceChildren(
    h('section', { class: 'patient-page' }, h('h1', {}, text.title), readings, followUpSection(page, longDate), questionnairesSection(page, base)),
  );
  const to = Date.now() / 1000;
  const range: [number, number] = [to - page.days * 86_400, to];
  if (page.glucose && page.glucose.hourly.length > 0) {
    const figure = h('figure', { class: 'chart' }, h('figcaption', {}, text.glucoseChart));
    readings.append(figure);
    timeChart(figure, {
      unit: 'mg/dL',
      timeLabel: text.chartTime,
      locale: page.language,
      times: page.glucose.hourly.map((point) => seconds(point.at)),
      series: [{ label: text.glucoseSeries, color: '#0969da', values: page.glucose.hourly.map((point) => point.meanMgDl) }],
      range,
      target: [70, 180],
      markers: [],
    });
  }
  if (page.bloodPressure && page.bloodPressure.readings.length > 0) {
    const figure = h('figure', { class: 'chart' }, h('figcaption', {}, text.bloodPressureChart));
    readings.append(figure);
    const bp = page.bloodPressure.readings;
    timeChart(figure, {
      unit: 'mmHg',
      timeLabel: text.chartTime,
      locale: page.language,
      times: bp.map((reading) => seconds(reading.at)),
      series: [
        { label: text.systolicSeries, color: '#d1242f', values: bp.map((reading) => reading.systolic) },
        { label: text.diastolicSeries, color: '#0969da', values: bp.map((reading) => reading.diastolic) },
      ],
      range,
      markers: [],
    });
  }
}

/** /p/sign-in: the form alone, in the browser's language (or the one in `?lang=`). */
export async function renderPatientSignIn(root: HTMLElement): Promise<void> {
  const { language, text } = await textFor(new URLSearchParams(location.search).get('lang') ?? browserLanguage());
  document.documentElement.lang = language;
  root.replaceChildren(h('section', { class: 'patient-page' }, signInForm(text, language)));
}

/** "Send me a link": the same answer whether or not the address is on record. */
function signInForm(text: PatientPageText, language: string): HTMLElement {
  const input = h('input', { name: 'address', type: 'text', inputmode: 'email', autocomplete: 'email tel', required: true, maxlength: '254' });
  const status = h('p', { class: 'status', role: 'status' });
  const submit = h('button', { type: 'submit' }, text.signInButton);
  const form = h(
    'form',
    { class: 'patient-sign-in' },
    h('h2', {}, text.signInHeading),
    h('p', { class: 'muted' }, text.signInIntro),
    h('label', {}, text.signInLabel, input),
    submit,
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.disabled = true;
    status.textContent = '';
    fetch(`/p/sign-in?language=${encodeURIComponent(language)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ address: input.value }),
    })
      .then(async (response) => {
        if (response.status === 202) status.textContent = ((await response.json()) as { message: string }).message;
        else if (response.status === 400) status.textContent = text.signInInvalid;
        else status.textContent = response.status === 429 ? text.tooManyRequests : text.somethingWrong;
      })
      .catch(() => (status.textContent = text.somethingWrong))
      .finally(() => (submit.disabled = false));
  });
  return form;
}

function followUpSection(page: PatientPageData, longDate: Intl.DateTimeFormat): HTMLElement {
  const text = page.text;
  const section = h('section', { class: 'patient-follow-up' }, h('h2', {}, text.followUpHeading));
  const followUp = page.followUp;
  if (!followUp) {
    section.append(h('p', { class: 'muted' }, text.noFollowUp));
    return section;
  }
  section.append(h('p', { class: 'plain', 'data-due': followUp.dueAt }, fill(text.followUpDue, { date: longDate.format(new Date(followUp.dueAt)) })));
  const status = h('p', { class: 'status', role: 'status' });
  const buttons = () => section.querySelectorAll('button');
  const act = (action: 'confirm' | 'reschedule', linkToken: string) => () => {
    for (const button of buttons()) button.disabled = true;
    call(`/p/${encodeURIComponent(linkToken)}/${action}`, text, {})
      .then(() => {
        status.textContent = action === 'confirm' ? text.confirmed : text.rescheduleRequested;
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
        h('button', { type: 'button', 'data-action': 'confirm', onclick: act('confirm', followUp.confirmToken) }, text.confirm),
        h('button', { type: 'button', 'data-action': 'reschedule', class: 'secondary', onclick: act('reschedule', followUp.rescheduleToken) }, text.reschedule),
      ),
    );
  }
  section.append(status);
  return section;
}

function questionnairesSection(page: PatientPageData, base: string): HTMLElement {
  const text = page.text;
  const section = h('section', { class: 'patient-questionnaires' }, h('h2', {}, text.questionnairesHeading));
  if (page.questionnaires.length === 0) section.append(h('p', { class: 'muted' }, text.noQuestionnaires));
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
      h('button', { type: 'submit' }, text.sendAnswers),
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
      call<{ alerts: unknown[] }>(`${base}/questionnaires/${encodeURIComponent(due.instrument)}/responses`, text, { answers })
        .then((recorded) => {
          form.replaceChildren(h('h3', {}, due.title), h('p', { class: 'status', role: 'status' }, text.answersSent));
          // An answer that alerts the care team (a self-harm answer above all): say so, and where help is now.
          if (recorded.alerts.length > 0) form.append(h('p', { class: 'notice', role: 'alert' }, text.careTeamTold));
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
