import { logIn } from './api.js';
import { h } from './dom.js';

export function renderLogin(root: HTMLElement): void {
  const error = h('p', { class: 'error', role: 'alert' });
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    {
      class: 'login',
      onsubmit: (event) => {
        event.preventDefault();
        submit.disabled = true;
        error.textContent = '';
        logIn(email.value, password.value)
          .then(() => (location.hash = '#/patients'))
          .catch((failure: Error) => (error.textContent = failure.message))
          .finally(() => (submit.disabled = false));
      },
    },
    h('h1', {}, 'Remote patient monitoring'),
    h('p', { class: 'muted' }, 'Sign in with your clinic account.'),
    h('label', {}, 'E-mail', email),
    h('label', {}, 'Password', password),
    submit,
    error,
  );
  root.replaceChildren(form);
  email.focus();
}
