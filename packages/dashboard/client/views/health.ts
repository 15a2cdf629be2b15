/** The health screen: the scheduler's readiness (firing), degraded state, processes and counts; each service's health. */
import { admin, BASE, type SchedulerState } from '../api.js';
import { count, h, replace, timeEl } from '../dom.js';
import { subscribe } from '../live.js';
import type { App, View } from '../main.js';
import { badge, errorBox } from '../ui.js';

interface Services { services: { name: string; health?: { status: string; reason?: string } }[] }

export function healthView(app: App): View {
  void app;
  const body = h('div', { class: 'health' });
  const el = h('section', { class: 'screen', 'aria-labelledby': 'health-title' }, h('div', { class: 'screen-head' }, h('h1', { id: 'health-title' }, 'Health')), body);
  document.title = 'Health · xcore';

  async function probe(path: string): Promise<string | null> {
    try {
      const response = await fetch(`${BASE}${path}`, { cache: 'no-store', credentials: 'same-origin' });
      if (response.status === 404) return null;
      return response.ok ? 'ok' : `failing (${response.status})`;
    } catch {
      return null;
    }
  }

  async function load(): Promise<void> {
    try {
      const [state, services, ready, live] = await Promise.all([admin<SchedulerState>('GET', '/scheduler'), admin<Services>('GET', '/services'), probe('/readyz'), probe('/livez')]);
      const tiles = h('div', { class: 'tiles' },
        h('div', { class: 'tile' }, h('span', { class: 'tile-label' }, 'Scheduler'), state.degraded === null ? badge('healthy', 'ok') : badge('degraded', 'bad')),
        h('div', { class: 'tile' }, h('span', { class: 'tile-label' }, 'Ready (firing)'), state.firing ? badge('ready', 'ok') : badge('not firing', 'warn')),
        h('div', { class: 'tile' }, h('span', { class: 'tile-label' }, 'Backend'), h('strong', null, state.backend)),
        h('div', { class: 'tile' }, h('span', { class: 'tile-label' }, 'Processes'), h('strong', null, state.processes === null ? 'unknown' : String(state.processes))),
        h('div', { class: 'tile' }, h('span', { class: 'tile-label' }, 'Jobs'), h('strong', null, count(state.counts.jobs))),
        h('div', { class: 'tile' }, h('span', { class: 'tile-label' }, 'Failing'), h('strong', null, count(state.counts.failing))),
        h('div', { class: 'tile' }, h('span', { class: 'tile-label' }, 'Paused'), h('strong', null, count(state.counts.paused))),
        h('div', { class: 'tile' }, h('span', { class: 'tile-label' }, 'Running'), h('strong', null, count(state.counts.running))));
      replace(body,
        tiles,
        state.degraded === null ? null : h('div', { class: 'error-box', role: 'alert' }, h('strong', null, 'Degraded since '), timeEl(state.degraded.since), ': ', state.degraded.reason),
        h('section', { class: 'card', 'aria-labelledby': 'probes-title' }, h('h2', { id: 'probes-title' }, 'Probes'),
          h('dl', { class: 'facts' },
            h('dt', null, '/readyz'), h('dd', null, ready ?? h('span', { class: 'muted' }, 'not mounted')),
            h('dt', null, '/livez'), h('dd', null, live ?? h('span', { class: 'muted' }, 'not mounted')))),
        h('section', { class: 'card', 'aria-labelledby': 'services-title' }, h('h2', { id: 'services-title' }, 'Services'),
          h('table', null, h('caption', { class: 'visually-hidden' }, 'Services'), h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Service'), h('th', { scope: 'col' }, 'Health'), h('th', { scope: 'col' }, 'Reason'))),
            h('tbody', null, ...services.services.map((s) => h('tr', null, h('th', { scope: 'row' }, s.name),
              h('td', null, s.health === undefined ? h('span', { class: 'muted' }, 'not reported') : badge(s.health.status, s.health.status === 'ok' ? 'ok' : 'bad')),
              h('td', null, s.health?.reason ?? '')))))),
        h('section', { class: 'card', 'aria-labelledby': 'processes-title' }, h('h2', { id: 'processes-title' }, 'Processes sharing the store'),
          state.processList.length === 0 ? h('p', { class: 'muted' }, state.backend === 'memory' ? 'This process only (memory store).' : 'None reported.')
            : h('table', null, h('caption', { class: 'visually-hidden' }, 'Processes'), h('thead', null, h('tr', null, ...['Process', 'Host', 'PID', 'Since', 'Plugins'].map((t) => h('th', { scope: 'col' }, t)))),
              h('tbody', null, ...state.processList.map((p) => h('tr', null, h('th', { scope: 'row' }, p.owner, p.self ? ' (this one)' : ''), h('td', null, p.host), h('td', { class: 'num' }, String(p.pid)), h('td', null, timeEl(p.since)), h('td', null, p.plugins.join(', '))))))));
    } catch (error) {
      replace(body, errorBox(error));
    }
  }
  let timer: number | undefined;
  const unsubscribe = subscribe((events) => {
    if (!events.some((e) => e.type.startsWith('scheduler.') || e.type.startsWith('plugin.') || e.type === 'resync')) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void load(), 300);
  });
  void load();
  return { el, destroy: () => { unsubscribe(); window.clearTimeout(timer); } };
}
