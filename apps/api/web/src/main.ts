import { renderAgpReport } from './agp-report-view.js';
import { renderDeviceEnrolment } from './device-enrolment-view.js';
import { api, logOut, session } from './api.js';
import { h } from './dom.js';
import { renderFollowUpDashboard } from './follow-up-dashboard-view.js';
import { renderHomeBpReport } from './home-bp-report-view.js';
import { renderLogin } from './login-view.js';
import { renderNurseWorklist } from './nurse-worklist-view.js';
import { renderPatientList } from './patient-list-view.js';
import { renderPatientPage, renderPatientSignIn } from './patient-page-view.js';
import { renderPatient } from './patient-view.js';

const root = document.getElementById('app')!;
const signOut = document.getElementById('sign-out')!;
const who = document.getElementById('who')!;
let leaving: AbortController | null = null;

function showWhoIsSignedIn(): void {
  if (!session.token || who.textContent) return;
  api<{ displayName: string; role: string }>('/auth/me')
    .then((me) => (who.textContent = `${me.displayName} (${me.role})`))
    .catch(() => undefined);
}

/** Hash routes: #/login, #/patients, #/patients/<id>, #/patients/<id>/agp, #/patients/<id>/home-bp, #/patients/<id>/enrol, #/worklist, #/follow-up. Each view's live stream closes when the view is left. */
function route(): void {
  // The patient's own page, at /p/<token> (their signed link): no care-team session, no care-team header.
  // /p/sign-in: the form to get a new link (a real token always has a dot, so never collides with it).
  const patientLink = /^\/p\/([^/]+)$/.exec(location.pathname);
  if (patientLink) {
    document.body.classList.add('patient');
    const token = decodeURIComponent(patientLink[1]);
    (token === 'sign-in' ? renderPatientSignIn(root) : renderPatientPage(root, token)).catch((error: Error) =>
      root.replaceChildren(h('p', { class: 'error', role: 'alert' }, error.message)),
    );
    return;
  }
  leaving?.abort();
  const current = new AbortController();
  leaving = current;
  const hash = location.hash || '#/patients';
  signOut.hidden = !session.token;
  showWhoIsSignedIn();
  if (!session.token && hash !== '#/login') {
    location.hash = '#/login';
    return;
  }
  const patient = /^#\/patients\/([0-9a-f-]{36})$/.exec(hash);
  const report = /^#\/patients\/([0-9a-f-]{36})\/(agp|home-bp)$/.exec(hash);
  const enrol = /^#\/patients\/([0-9a-f-]{36})\/enrol$/.exec(hash);
  const view =
    hash === '#/login'
      ? Promise.resolve(renderLogin(root))
      : hash === '#/worklist'
        ? renderNurseWorklist(root)
        : hash === '#/follow-up'
          ? renderFollowUpDashboard(root)
          : report
            ? (report[2] === 'agp' ? renderAgpReport : renderHomeBpReport)(root, report[1])
            : enrol
              ? renderDeviceEnrolment(root, enrol[1])
              : patient
                ? renderPatient(root, patient[1], current.signal)
                : renderPatientList(root, current.signal);
  view.catch((error: Error) => {
    if (!current.signal.aborted) root.replaceChildren(h('p', { class: 'error', role: 'alert' }, `Could not load this page: ${error.message}`));
  });
}

signOut.addEventListener('click', () => {
  void logOut().finally(() => {
    who.textContent = '';
    location.hash = '#/login';
  });
});
window.addEventListener('hashchange', route);
route();
