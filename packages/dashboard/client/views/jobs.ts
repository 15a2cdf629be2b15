/**
 * The jobs screen: every job in id order, a page at a time (server-side keyset paging, so 100,000
 * jobs cost one page), search by id and filters kept in the URL, rows updated live from events.
 */
import { admin, type Job, type Page, type Plugin, type SchedulerState } from '../api.js';
import { count, h, replace, timeEl } from '../dom.js';
import { subscribe, type LiveEvent } from '../live.js';
import type { App, Route, View } from '../main.js';
import { badge, errorBox, lastRunCell } from '../ui.js';

const PAGE_SIZE = 50;
/** Longest time one page keeps following short filtered pages before it shows what it found. */
const FILL_MS = 15_000;
const FILTERS = ['q', 'owner', 'state', 'failing', 'paused'] as const;
type Filter = (typeof FILTERS)[number];

/** The URL of the jobs screen with these filters (empty ones left out). */
export function jobsHash(values: Partial<Record<Filter | 'cursor', string>>): string {
  const query = new URLSearchParams();
  for (const key of [...FILTERS, 'cursor'] as const) {
    const value = values[key];
    if (value !== undefined && value !== '') query.set(key, value);
  }
  const text = query.toString();
  return `#/jobs${text === '' ? '' : `?${text}`}`;
}

function select(id: string, label: string, options: [string, string][]): HTMLSelectElement {
  return h('select', { id, name: id, 'aria-label': label }, ...options.map(([value, text]) => h('option', { value }, text)));
}

export function jobsView(app: App, initial: Route): View {
  void app;
  const search = h('input', { id: 'job-search', type: 'search', name: 'q', placeholder: 'Search by id, e.g. billing:', autocomplete: 'off', spellcheck: 'false' });
  const owner = select('filter-owner', 'Owner', [['', 'Any owner']]);
  const state = select('filter-state', 'State', [['', 'Any state'], ['scheduled', 'Scheduled'], ['running', 'Running'], ['paused', 'Paused'], ['done', 'Done']]);
  const failing = select('filter-failing', 'Last run', [['', 'Any outcome'], ['true', 'Failing'], ['false', 'Not failing']]);
  const paused = select('filter-paused', 'Paused', [['', 'Paused or not'], ['true', 'Paused only'], ['false', 'Active only']]);
  const summary = h('p', { class: 'summary', id: 'jobs-summary', 'aria-live': 'polite' });
  const tbody = h('tbody');
  const table = h('table', { class: 'jobs', 'aria-describedby': 'jobs-summary', 'aria-busy': 'true' },
    h('caption', { class: 'visually-hidden' }, 'Jobs'),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, 'Job'), h('th', { scope: 'col' }, 'Owner'), h('th', { scope: 'col' }, 'Trigger'), h('th', { scope: 'col' }, 'Next run'),
      h('th', { scope: 'col' }, 'Last run'), h('th', { scope: 'col' }, 'Paused'), h('th', { scope: 'col', class: 'num' }, 'Running'))),
    tbody);
  const prev = h('button', { type: 'button', class: 'button', id: 'page-prev' }, '← Previous');
  const next = h('button', { type: 'button', class: 'button', id: 'page-next' }, 'Next →');
  const pageLabel = h('span', { class: 'page-label' });
  const message = h('div');
  const el = h('section', { class: 'screen', 'aria-labelledby': 'jobs-title' },
    h('div', { class: 'screen-head' }, h('h1', { id: 'jobs-title' }, 'Jobs'), summary),
    h('form', { class: 'toolbar', role: 'search', onsubmit: (e: SubmitEvent) => e.preventDefault() },
      h('div', { class: 'field field-grow' }, h('label', { for: 'job-search' }, 'Search by id'), search),
      h('div', { class: 'field' }, h('label', { for: 'filter-owner' }, 'Owner'), owner),
      h('div', { class: 'field' }, h('label', { for: 'filter-state' }, 'State'), state),
      h('div', { class: 'field' }, h('label', { for: 'filter-failing' }, 'Last run'), failing),
      h('div', { class: 'field' }, h('label', { for: 'filter-paused' }, 'Paused'), paused),
      h('button', { type: 'button', class: 'button button-quiet', id: 'filters-clear', onclick: () => go({}) }, 'Clear')),
    message,
    h('div', { class: 'table-wrap' }, table),
    h('div', { class: 'pager' }, prev, pageLabel, next));

  let route = initial;
  /** Cursors of the pages before the current one (for Previous). */
  let cursors: string[] = [];
  let nextCursor: string | null = null;
  let rows = new Map<string, { job: Job; row: HTMLTableRowElement }>();
  let loading: AbortController | undefined;
  let searchTimer: number | undefined;

  const filters = (): Partial<Record<Filter, string>> => Object.fromEntries(FILTERS.map((k) => [k, route.query.get(k) ?? ''])) as Partial<Record<Filter, string>>;
  /** True while this screen changes the URL itself (other URL changes cancel a pending search). */
  let navigating = false;
  const go = (values: Partial<Record<Filter | 'cursor', string>>, replaceUrl = false): void => {
    window.clearTimeout(searchTimer);
    const hash = jobsHash(values);
    if (replaceUrl) history.replaceState(null, '', hash);
    else history.pushState(null, '', hash);
    navigating = true;
    try {
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    } finally {
      navigating = false;
    }
  };
  const changed = (): void => {
    cursors = [];
    go({ q: search.value.trim(), owner: owner.value, state: state.value, failing: failing.value, paused: paused.value });
  };
  search.addEventListener('input', () => {
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(() => {
      cursors = [];
      go({ ...filters(), q: search.value.trim() }, true);
    }, 200);
  });
  for (const control of [owner, state, failing, paused]) control.addEventListener('change', changed);
  next.addEventListener('click', () => {
    if (nextCursor === null) return;
    cursors.push(route.query.get('cursor') ?? '');
    go({ ...filters(), cursor: nextCursor });
  });
  prev.addEventListener('click', () => {
    const before = cursors.pop();
    go({ ...filters(), cursor: before ?? '' });
  });

  function row(job: Job): HTMLTableRowElement {
    const failingRun = job.lastRun !== null && (job.lastRun.status === 'failed' || job.lastRun.status === 'timed_out');
    return h('tr', { 'data-job': job.id, class: failingRun ? 'row-failing' : null },
      h('th', { scope: 'row', class: 'job-id' }, h('a', { href: `#/jobs/${encodeURIComponent(job.id)}` }, job.id)),
      h('td', null, h('span', { class: 'owner' }, job.owner)),
      h('td', { class: 'trigger' }, job.trigger),
      h('td', null, job.paused ? h('span', { class: 'muted' }, 'paused') : timeEl(job.nextRunAt, 'none')),
      h('td', null, lastRunCell(job.lastRun)),
      h('td', { class: 'cell-paused' }, job.paused ? badge('paused', 'warn') : h('span', { class: 'muted' }, 'no')),
      h('td', { class: 'num cell-running' }, job.running > 0 ? badge(`${job.running} running`, 'info') : h('span', { class: 'muted' }, '0')));
  }

  function renderRows(items: Job[]): void {
    rows = new Map(items.map((job) => [job.id, { job, row: row(job) }]));
    // For bench/dashboard.mjs (time to first render and to a search result): a User Timing mark per page shown.
    queueMicrotask(() => performance.mark('xcore:rows', { detail: { count: items.length, first: items[0]?.id ?? null } }));
    if (items.length === 0) {
      replace(tbody, h('tr', null, h('td', { colspan: 7, class: 'empty' }, 'No job matches. Clear the search or the filters.')));
    } else {
      replace(tbody, ...[...rows.values()].map((r) => r.row));
    }
  }

  function updateRow(job: Job): void {
    const entry = rows.get(job.id);
    if (entry === undefined) return;
    const fresh = row(job);
    entry.row.replaceWith(fresh);
    rows.set(job.id, { job, row: fresh });
  }

  async function loadPage(): Promise<void> {
    loading?.abort();
    const controller = new AbortController();
    loading = controller;
    const query = new URLSearchParams();
    for (const key of [...FILTERS, 'cursor'] as const) {
      const value = route.query.get(key);
      if (value !== null && value !== '') query.set(key, value);
    }
    table.setAttribute('aria-busy', 'true');
    const started = performance.now();
    try {
      // A filtered listing may answer short pages with a cursor (the server bounds the ids it scans
      // per request): follow them until the page is full, the end, or FILL_MS passed.
      const items: Job[] = [];
      let cursor = query.get('cursor');
      do {
        if (cursor === null) query.delete('cursor');
        else query.set('cursor', cursor);
        query.set('limit', String(PAGE_SIZE - items.length));
        const page = await admin<Page<Job>>('GET', `/jobs?${query.toString()}`, undefined, { signal: controller.signal });
        if (controller.signal.aborted) return;
        items.push(...page.items);
        cursor = page.nextCursor;
        if (cursor !== null && items.length < PAGE_SIZE) replace(message, h('p', { class: 'help', role: 'status' }, `Searching… ${items.length} found so far.`));
      } while (cursor !== null && items.length < PAGE_SIZE && performance.now() - started < FILL_MS);
      nextCursor = cursor;
      renderRows(items);
      if (items.length === 0 && cursor !== null) {
        replace(tbody, h('tr', null, h('td', { colspan: 7, class: 'empty' }, 'No match among the jobs searched so far. Next continues the search.')));
      }
      replace(message);
      const pageNumber = cursors.length + 1;
      pageLabel.textContent = `Page ${pageNumber}${items.length > 0 ? ` · ${items.length} shown` : ''}`;
      prev.disabled = !route.query.has('cursor');
      next.disabled = nextCursor === null;
    } catch (error) {
      if (controller.signal.aborted) return;
      replace(message, errorBox(error));
    } finally {
      if (loading === controller) table.setAttribute('aria-busy', 'false');
    }
  }

  async function loadSummary(): Promise<void> {
    try {
      const s = await admin<SchedulerState>('GET', '/scheduler');
      const parts = [`${count(s.counts.jobs)} jobs`, `${count(s.counts.paused)} paused`, `${count(s.counts.failing)} failing`, `${count(s.counts.running)} running`];
      replace(summary, parts.join(' · '), s.degraded === null ? null : h('span', { class: 'badge badge-bad' }, 'degraded'));
    } catch {
      replace(summary);
    }
  }

  async function loadOwners(): Promise<void> {
    try {
      const plugins = await admin<{ items: Plugin[] }>('GET', '/plugins');
      const names = [...plugins.items.map((p) => p.name), 'config', 'app'];
      const chosen = route.query.get('owner') ?? '';
      if (chosen !== '' && !names.includes(chosen)) names.push(chosen);
      replace(owner, h('option', { value: '' }, 'Any owner'), ...names.map((n) => h('option', { value: n }, n)));
      owner.value = chosen;
    } catch {
      // The owner filter keeps its current options.
    }
  }

  function syncControls(): void {
    const f = filters();
    if (document.activeElement !== search) search.value = f.q ?? '';
    if ([...owner.options].every((o) => o.value !== f.owner) && f.owner) owner.append(h('option', { value: f.owner }, f.owner));
    owner.value = f.owner ?? '';
    state.value = f.state ?? '';
    failing.value = f.failing ?? '';
    paused.value = f.paused ?? '';
  }

  // Live updates: patch visible rows from events; re-read the page when jobs come or go.
  let summaryTimer: number | undefined;
  let pageTimer: number | undefined;
  const refetch = new Set<string>();
  const unsubscribe = subscribe((events: LiveEvent[]) => {
    let listChanged = false;
    for (const event of events) {
      if (event.type === 'resync' || event.type === 'job.added' || event.type === 'job.removed') listChanged = true;
      const entry = event.jobId === undefined ? undefined : rows.get(event.jobId);
      if (entry === undefined) continue;
      const job = { ...entry.job };
      switch (event.type) {
        case 'job.paused': job.paused = true; break;
        case 'job.resumed': job.paused = false; refetch.add(job.id); break;
        case 'job.started': job.running += 1; break;
        case 'job.succeeded': case 'job.failed': case 'job.timed_out': case 'job.aborted': {
          job.running = Math.max(0, job.running - 1);
          const record = event.data['record'];
          if (record !== null && typeof record === 'object') job.lastRun = record as Job['lastRun'];
          refetch.add(job.id);
          break;
        }
        default: refetch.add(job.id);
      }
      entry.job = job;
      updateRow(job);
    }
    // Next run times and exact counts come from the server: one request per changed visible job, coalesced.
    for (const id of refetch) {
      refetch.delete(id);
      admin<Job>('GET', `/jobs/${encodeURIComponent(id)}`).then(updateRow, () => undefined);
    }
    summaryTimer ??= window.setTimeout(() => {
      summaryTimer = undefined;
      void loadSummary();
    }, 2000);
    if (listChanged) {
      window.clearTimeout(pageTimer);
      pageTimer = window.setTimeout(() => void loadPage(), 1000);
    }
  });

  syncControls();
  void loadOwners();
  void loadSummary();
  void loadPage();
  return {
    el,
    update(r: Route) {
      route = r;
      if (!navigating) {
        // Back/forward or an edited URL: it wins over a search still being typed.
        window.clearTimeout(searchTimer);
        search.value = r.query.get('q') ?? '';
      }
      syncControls();
      if (!r.query.has('cursor')) cursors = [];
      void loadPage();
    },
    destroy() {
      unsubscribe();
      loading?.abort();
      window.clearTimeout(summaryTimer);
      window.clearTimeout(pageTimer);
      window.clearTimeout(searchTimer);
    },
  };
}
