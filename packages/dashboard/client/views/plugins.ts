/** The plugins screen: each plugin's state, error and dependencies; reload (admin scope, confirmed). */
import { admin, type Plugin } from '../api.js';
import { h, replace } from '../dom.js';
import { subscribe } from '../live.js';
import type { App, View } from '../main.js';
import { badge, confirmAction, errorBox, notify } from '../ui.js';

function stateBadge(state: string): HTMLElement {
  return badge(state, state === 'started' ? 'ok' : state === 'failed' ? 'bad' : state === 'skipped' || state === 'not-enabled' || state === 'stopped' ? 'muted' : 'info');
}

export function pluginsView(app: App): View {
  const tbody = h('tbody');
  const message = h('div');
  const el = h('section', { class: 'screen', 'aria-labelledby': 'plugins-title' },
    h('div', { class: 'screen-head' }, h('h1', { id: 'plugins-title' }, 'Plugins'),
      app.canAdmin ? null : h('p', { class: 'help' }, 'Reloading a plugin needs the admin scope.')),
    message,
    h('div', { class: 'table-wrap' }, h('table', null,
      h('caption', { class: 'visually-hidden' }, 'Plugins'),
      h('thead', null, h('tr', null, ...['Plugin', 'Version', 'State', 'Error', 'Start', 'Depends on', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
      tbody)));
  document.title = 'Plugins · xcore';

  async function reload(name: string): Promise<void> {
    if (!(await confirmAction(`Reload ${name}?`, `${name} is stopped (its jobs detach, its running jobs are aborted) and started again with its current code.`, 'Reload'))) return;
    try {
      const plugin = await admin<Plugin>('POST', `/plugins/${encodeURIComponent(name)}/reload`);
      notify(`${name} reloaded: ${plugin.state}.`, plugin.state === 'started' ? 'ok' : 'bad');
    } catch (error) {
      notify(error instanceof Error ? error.message : String(error), 'bad');
    }
    await load();
  }

  async function load(): Promise<void> {
    try {
      const { items } = await admin<{ items: Plugin[] }>('GET', '/plugins');
      replace(message);
      replace(tbody, ...(items.length === 0 ? [h('tr', null, h('td', { colspan: 7, class: 'empty' }, 'No plugins are installed.'))] : items.map((p) => h('tr', null,
        h('th', { scope: 'row' }, p.name),
        h('td', { class: 'num' }, p.version),
        h('td', null, stateBadge(p.state)),
        h('td', { class: 'error-cell' }, p.error === null ? h('span', { class: 'muted' }, '—') : h('details', null, h('summary', null, p.error.code ?? p.error.name), h('pre', { class: 'error-text' }, p.error.message))),
        h('td', { class: 'num' }, p.startMs === null ? '—' : `${Math.round(p.startMs)} ms`),
        h('td', null, Object.keys(p.dependencies).length === 0 ? h('span', { class: 'muted' }, 'none') : Object.entries(p.dependencies).map(([n, r]) => `${n} ${r}`).join(', ')),
        h('td', null, h('button', { type: 'button', class: 'button button-small', disabled: !app.canAdmin || p.state === 'skipped' || p.state === 'not-enabled', 'aria-label': `Reload ${p.name}`, onclick: () => void reload(p.name) }, 'Reload'))))));
    } catch (error) {
      replace(message, errorBox(error));
    }
  }
  let timer: number | undefined;
  const unsubscribe = subscribe((events) => {
    if (!events.some((e) => e.type.startsWith('plugin.') || e.type === 'resync')) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void load(), 300);
  });
  void load();
  return { el, destroy: () => { unsubscribe(); window.clearTimeout(timer); } };
}
