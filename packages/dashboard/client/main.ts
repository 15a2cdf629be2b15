/**
 * The dashboard's entry: session check, sign-in, the shell (header, navigation) and the hash
 * router (`#/jobs?...`, `#/jobs/<id>`, `#/plugins`, `#/health`).
 */
import { ApiError, call, can, useSession, whenSignedOut, type Session } from './api.js';
import { h, replace } from './dom.js';
import { connect, disconnect, onStatus } from './live.js';
import { notify } from './ui.js';
import { healthView } from './views/health.js';
import { jobView } from './views/job.js';
import { jobsView } from './views/jobs.js';
import { pluginsView } from './views/plugins.js';

/** A mounted screen: updated when its URL changes, destroyed when another screen shows. */
export interface View {
  readonly el: HTMLElement;
  /** The URL changed but stays on this screen (filters, paging). */
  update?(route: Route): void;
  destroy(): void;
}

/** A parsed hash: `#/jobs?q=x` is `{ path: ['jobs'], query }`. */
export interface Route {
  readonly path: string[];
  readonly query: URLSearchParams;
}

/** The app's context handed to screens. */
export interface App {
  readonly session: Session;
  /** True when the caller may pause, resume and run (the `operate` scope). */
  readonly canOperate: boolean;
  /** True when the caller may reload plugins (the `admin` scope). */
  readonly canAdmin: boolean;
}

const root = document.getElementById('app')!;

function parseRoute(): Route {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path = '', query = ''] = hash.split('?');
  return { path: path.split('/').filter((p) => p !== '').map((p) => decodeURIComponent(p)), query: new URLSearchParams(query) };
}

function screenOf(route: Route): string {
  const [first, second] = route.path;
  if (first === 'jobs' && second !== undefined) return `job:${second}`;
  if (first === 'plugins' || first === 'health') return first;
  return 'jobs';
}

function signInForm(message?: string): void {
  disconnect();
  document.title = 'Sign in · xcore';
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'current-password', required: true, spellcheck: 'false', 'aria-describedby': 'token-help' });
  const error = h('p', { id: 'sign-in-error', class: 'form-error', role: 'alert' }, message ?? '');
  const submit = h('button', { type: 'submit', class: 'button button-primary button-wide' }, 'Sign in');
  const form = h(
    'form',
    {
      class: 'sign-in-card',
      'aria-labelledby': 'sign-in-title',
      onsubmit: async (event: SubmitEvent) => {
        event.preventDefault();
        submit.disabled = true;
        error.textContent = '';
        try {
          const session = await call<Session>('POST', '/admin/session', { token: input.value }, { quiet401: true });
          input.value = '';
          start(session);
        } catch (e) {
          error.textContent = e instanceof ApiError && e.status === 401 ? 'That token is not valid here. Check it and try again.' : e instanceof Error ? e.message : String(e);
          submit.disabled = false;
          input.focus();
        }
      },
    },
    h('div', { class: 'brand brand-large' }, h('span', { class: 'logo', 'aria-hidden': 'true' }), h('span', null, 'xcore')),
    h('h1', { id: 'sign-in-title' }, 'Sign in to the dashboard'),
    h('label', { for: 'token' }, 'Access token'),
    input,
    h('p', { id: 'token-help', class: 'help' }, 'A token or JWT from services.http.auth. It is exchanged for a session cookie and not stored in the browser.'),
    error,
    submit,
  );
  replace(root, h('main', { class: 'sign-in', id: 'main' }, form));
  input.focus();
}

let current: { key: string; view: View } | undefined;

function start(session: Session): void {
  useSession(session);
  const identity = session.identity;
  const app: App = { session, canOperate: can(identity, 'operate'), canAdmin: can(identity, 'admin') };
  const main = h('main', { id: 'main', tabindex: '-1' });
  const liveDot = h('span', { class: 'live-dot', role: 'status', 'aria-live': 'polite' }, 'connecting');
  onStatus((status) => {
    liveDot.textContent = status === 'live' ? 'live' : status === 'connecting' ? 'connecting…' : 'offline';
    liveDot.dataset['status'] = status;
  });
  const nav = h('nav', { 'aria-label': 'Sections' },
    h('a', { href: '#/jobs', 'data-screen': 'jobs' }, 'Jobs'),
    h('a', { href: '#/plugins', 'data-screen': 'plugins' }, 'Plugins'),
    h('a', { href: '#/health', 'data-screen': 'health' }, 'Health'),
  );
  const who = identity === null ? '' : identity.kind === 'none' ? 'auth off' : identity.subject;
  const mode = app.canOperate ? (app.canAdmin ? 'admin' : 'operate') : 'read-only';
  const signOut = session.auth === 'none' ? null : h('button', {
    type: 'button', class: 'button button-quiet', onclick: async () => {
      try {
        await call('DELETE', '/admin/session');
      } catch {
        // Signed out already.
      }
      current?.view.destroy();
      current = undefined;
      signInForm('You are signed out.');
    },
  }, 'Sign out');
  const header = h('header', { class: 'topbar' },
    h('a', { class: 'skip', href: '#main', onclick: (e: MouseEvent) => { e.preventDefault(); main.focus(); } }, 'Skip to content'),
    h('a', { class: 'brand', href: '#/jobs', 'aria-label': 'xcore dashboard, jobs' }, h('span', { class: 'logo', 'aria-hidden': 'true' }), h('span', null, 'xcore')),
    nav,
    h('div', { class: 'topbar-end' },
      liveDot,
      h('span', { class: `who who-${mode}`, title: identity?.scopes.join(', ') ?? '' }, h('span', { class: 'who-name' }, who), h('span', { class: 'who-mode' }, mode)),
      signOut),
  );
  replace(root, header, mode === 'read-only' ? h('div', { class: 'readonly-banner', role: 'note' }, 'Read-only: this token has the read scope, so pausing, resuming and running jobs are turned off.') : null, main, h('div', { id: 'notice', class: 'notice', role: 'status', 'aria-live': 'polite' }));
  whenSignedOut(() => {
    current?.view.destroy();
    current = undefined;
    signInForm('Your session ended. Sign in again.');
  });
  connect();
  const render = (): void => {
    const route = parseRoute();
    const key = screenOf(route);
    for (const link of nav.querySelectorAll('a')) {
      if (link.dataset['screen'] === (key.startsWith('job:') ? 'jobs' : key)) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    if (current !== undefined && current.key === key) {
      current.view.update?.(route);
      return;
    }
    current?.view.destroy();
    const view = key === 'plugins' ? pluginsView(app) : key === 'health' ? healthView(app) : key.startsWith('job:') ? jobView(app, key.slice(4)) : jobsView(app, route);
    current = { key, view };
    replace(main, view.el);
  };
  window.onhashchange = render;
  render();
}

async function boot(): Promise<void> {
  try {
    const session = await call<Session>('GET', '/admin/session', undefined, { quiet401: true });
    if (session.signedIn) start(session);
    else signInForm();
  } catch (error) {
    replace(root, h('main', { class: 'sign-in' }, h('div', { class: 'error-box', role: 'alert' }, `The dashboard cannot reach the server: ${error instanceof Error ? error.message : String(error)}`)));
  }
}

void boot();
void notify;
