import { api } from './api.js';
import { formatDateTime, h } from './dom.js';
import { programmeName } from './patient-list-view.js';
import type { Patient } from './types.js';

const PERIODS = [7, 14, 30, 90];

/** Width the report's charts are drawn at: the report's column, at most 700 px, which fits A4 with 12 mm margins (186 mm). */
export const reportWidth = (element: HTMLElement): number => Math.max(320, Math.min(element.clientWidth, 700));

/**
 * The frame both printable reports share: back link, period buttons and Print (left out of print), then a
 * heading with the patient, the period and the time zone the report's local times are in.
 */
export async function renderReportFrame(
  root: HTMLElement,
  patientId: string,
  title: string,
  defaultDays: number,
  draw: (body: HTMLElement, from: Date, to: Date, patient: Patient) => Promise<void>,
): Promise<void> {
  const patient = await api<Patient>(`/patients/${patientId}`);
  let days = defaultDays;
  const body = h('div', { class: 'report-body' });
  const period = h('p', { class: 'muted report-period' });
  const buttons = h('div', { class: 'ranges', role: 'group', 'aria-label': 'Period' });
  const redraw = async () => {
    const to = new Date();
    const from = new Date(to.getTime() - days * 86_400_000);
    period.textContent = `${days} days: ${formatDateTime(from.toISOString())} – ${formatDateTime(to.toISOString())} · times are local to ${patient.timeZone} · printed ${formatDateTime(to.toISOString())}`;
    body.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
    await draw(body, from, to, patient);
  };
  const drawButtons = () =>
    buttons.replaceChildren(
      ...PERIODS.map((choice) =>
        h(
          'button',
          {
            type: 'button',
            class: choice === days ? 'selected' : 'secondary',
            'aria-pressed': String(choice === days),
            onclick: () => {
              days = choice;
              drawButtons();
              void redraw();
            },
          },
          `${choice} days`,
        ),
      ),
    );
  drawButtons();
  root.replaceChildren(
    h(
      'article',
      { class: 'report' },
      h(
        'div',
        { class: 'report-controls' },
        h('a', { href: `#/patients/${patientId}` }, `← ${patient.displayName}`),
        buttons,
        h('button', { type: 'button', onclick: () => window.print() }, 'Print / save as PDF'),
      ),
      h('h1', {}, title),
      h('p', { class: 'report-patient' }, h('strong', {}, patient.displayName), ` · ${programmeName(patient.programme)}`),
      period,
      body,
    ),
  );
  await redraw();
}
