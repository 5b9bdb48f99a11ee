import { api } from './api.js';
import { formatDateTime, h } from './dom.js';
import type { Patient, PairingCode } from './types.js';

const KINDS: { kind: string; label: string }[] = [
  { kind: 'hub', label: 'Home hub' },
  { kind: 'cgm', label: 'CGM (phone app)' },
  { kind: 'glucose_meter', label: 'Glucose meter' },
  { kind: 'blood_pressure_cuff', label: 'Blood-pressure cuff' },
  { kind: 'wearable', label: 'Wearable' },
  { kind: 'pulse_oximeter', label: 'Pulse oximeter' },
];

/**
 * Enrolment at discharge (#/patients/<id>/enrol): the clinician chooses the device, the API issues a one-time
 * pairing code (a POST: each code pairs one device, once), and the page shows the QR code with the code written
 * beneath it, as a sheet that prints on its own. The QR image is the API's SVG, shown as an image, never as markup.
 */
export async function renderDeviceEnrolment(root: HTMLElement, patientId: string): Promise<void> {
  const patient = await api<Patient>(`/patients/${patientId}`);
  const kind = h('select', { name: 'kind', 'aria-label': 'Device' }, ...KINDS.map((choice) => h('option', { value: choice.kind }, choice.label)));
  const sheet = h('section', { class: 'enrol-sheet', hidden: true });
  const status = h('p', { class: 'status', role: 'status' });
  const issue = h('button', { type: 'submit' }, 'Create pairing code');
  const print = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: () => window.print() }, 'Print');
  const form = h('form', { class: 'enrol-form' }, h('label', {}, 'Device ', kind), issue, print, status);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    issue.disabled = true;
    status.textContent = '';
    api<PairingCode>(`/patients/${patientId}/pairing-codes`, { method: 'POST', body: { kind: kind.value } })
      .then((pairing) => {
        const label = KINDS.find((choice) => choice.kind === kind.value)?.label ?? kind.value;
        sheet.replaceChildren(
          h('h2', {}, `Connect your ${label.toLowerCase()}`),
          h('p', { class: 'report-patient' }, h('strong', {}, patient.displayName)),
          h('img', {
            class: 'enrol-qr',
            alt: `QR code for pairing code ${pairing.code}`,
            src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(pairing.qr.svg)}`,
            'data-payload': pairing.qr.payload,
          }),
          h('p', { class: 'enrol-code' }, 'or type the code ', h('strong', { 'data-code': '' }, pairing.code)),
          h(
            'ol',
            { class: 'enrol-steps' },
            h('li', {}, 'Open the app or switch on the hub and choose “Pair with my clinic”.'),
            h('li', {}, 'Scan the QR code, or type the code.'),
            h('li', {}, 'Take a first reading: your care team sees it within a minute.'),
          ),
          h('p', { class: 'muted' }, `This code works once, until ${formatDateTime(pairing.expiresAt)}. Ask your clinic for a new one after that.`),
        );
        sheet.hidden = false;
        print.hidden = false;
        issue.textContent = 'Create another code';
      })
      .catch((error: Error) => (status.textContent = `Could not create a code: ${error.message}`))
      .finally(() => (issue.disabled = false));
  });
  root.replaceChildren(
    h(
      'article',
      { class: 'report enrolment' },
      h('div', { class: 'report-controls' }, h('a', { href: `#/patients/${patientId}` }, `← ${patient.displayName}`)),
      h('h1', { class: 'report-controls' }, 'Enrol a device'),
      h(
        'p',
        { class: 'muted report-controls' },
        'Each code pairs one device, once, within 24 hours. Show the QR code to the patient, or print the sheet for them to take home.',
      ),
      h('div', { class: 'report-controls' }, form),
      sheet,
    ),
  );
}
