/**
 * One job: its state, trigger, next five run times, policy, history with error details, and the
 * pause / resume / run-now actions (each confirmed; off in read-only mode). Live from events.
 */
import { admin, ApiError, jobPath, type JobDetail, type LoggedRun, type Page, type RunRequest } from '../api.js';
import { duration, h, relative, replace, timeEl } from '../dom.js';
import { subscribe } from '../live.js';
import type { App, View } from '../main.js';
import { badge, confirmAction, errorBox, lastRunCell, notify, runBadge } from '../ui.js';

const HISTORY_PAGE = 20;

function dl(entries: [string, Node | string][]): HTMLElement {
  return h('dl', { class: 'facts' }, ...entries.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

function historyRow(run: LoggedRun): HTMLTableRowElement {
  const by = run.manual ? h('span', { class: 'manual' }, 'manual', run.requestedBy === null ? null : ` by ${run.requestedBy}`) : h('span', { class: 'muted' }, run.occurrences > 1 ? `schedule ×${run.occurrences}` : 'schedule');
  const detail = run.errorStack ?? run.error;
  return h('tr', null,
    h('td', null, runBadge({ status: run.outcome })),
    h('td', null, timeEl(run.scheduledAt)),
    h('td', null, timeEl(run.startedAt, 'not started')),
    h('td', { class: 'num' }, duration(run.durationMs)),
    h('td', { class: 'num' }, String(run.attempts)),
    h('td', null, by),
    h('td', { class: 'error-cell' }, run.error === null ? h('span', { class: 'muted' }, '—')
      : h('details', null, h('summary', null, run.error.split('\n')[0]!.slice(0, 80)), h('pre', { class: 'error-text' }, detail ?? ''))));
}

export function jobView(app: App, id: string): View {
  const title = h('h1', { id: 'job-title', class: 'job-title' }, id);
  const badges = h('div', { class: 'badges' });
  const actions = h('div', { class: 'actions', role: 'group', 'aria-label': 'Job actions' });
  const facts = h('div');
  const nextRuns = h('ol', { class: 'next-runs', 'aria-labelledby': 'next-title' });
  const nextNote = h('p', { class: 'help' });
  const historySource = h('p', { class: 'help history-source' });
  const historyBody = h('tbody');
  const more = h('button', { type: 'button', class: 'button', hidden: true }, 'Load older runs');
  const message = h('div');
  const el = h('section', { class: 'screen', 'aria-labelledby': 'job-title' },
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/jobs' }, 'Jobs'), h('span', { 'aria-hidden': 'true' }, ' / ')),
    h('div', { class: 'screen-head' }, h('div', null, title, badges), actions),
    message,
    h('div', { class: 'grid' },
      h('section', { class: 'card', 'aria-labelledby': 'details-title' }, h('h2', { id: 'details-title' }, 'Details'), facts),
      h('section', { class: 'card', 'aria-labelledby': 'next-title' }, h('h2', { id: 'next-title' }, 'Next five runs'), nextNote, nextRuns)),
    h('section', { class: 'card', 'aria-labelledby': 'history-title' },
      h('h2', { id: 'history-title' }, 'History'), historySource,
      h('div', { class: 'table-wrap' }, h('table', { class: 'history' },
        h('caption', { class: 'visually-hidden' }, `Runs of ${id}, newest first`),
        h('thead', null, h('tr', null, ...['Outcome', 'Scheduled', 'Started', 'Duration', 'Attempts', 'Why', 'Error'].map((t) => h('th', { scope: 'col' }, t)))),
        historyBody)),
      more));

  let job: JobDetail | undefined;
  let historyCursor: string | null = null;
  let busy = false;

  async function act(kind: 'pause' | 'resume' | 'run'): Promise<void> {
    if (job === undefined || busy) return;
    const texts = {
      pause: ['Pause this job?', `${id} stops running on its schedule in every process until it is resumed.`, 'Pause'],
      resume: ['Resume this job?', `${id} runs on its schedule again from now on (runs missed while paused are not caught up).`, 'Resume'],
      run: ['Run this job now?', `${id} runs once now, outside its schedule, in one process that holds it.`, 'Run now'],
    } as const;
    const [t, text, label] = texts[kind];
    if (!(await confirmAction(t, text, label))) return;
    busy = true;
    renderActions();
    try {
      if (kind === 'run') {
        const request = await admin<RunRequest>('POST', `${jobPath(id)}/run`, {});
        notify(`Run requested (${request.requestId.slice(0, 8)}). It shows in the history when it finishes.`);
        void follow(request.requestId);
      } else {
        job = await admin<JobDetail>('POST', `${jobPath(id)}/${kind}`);
        notify(kind === 'pause' ? `${id} is paused.` : `${id} is resumed.`);
        render();
      }
    } catch (error) {
      notify(error instanceof Error ? error.message : String(error), 'bad');
    } finally {
      busy = false;
      renderActions();
    }
  }

  /** Waits (one long request, not polling) for a run request to settle, then re-reads the history. */
  async function follow(requestId: string): Promise<void> {
    try {
      const settled = await admin<RunRequest>('GET', `/runs/${encodeURIComponent(requestId)}?wait=120000`);
      if (settled.status === 'expired') notify('No process took the run within a minute.', 'bad');
      await Promise.all([loadJob(), loadHistory(true)]);
    } catch {
      // The page moved on or the server went away.
    }
  }

  function renderActions(): void {
    if (job === undefined) return replace(actions);
    const readOnly = !app.canOperate;
    const why = readOnly ? 'Needs the operate scope' : null;
    const toggle = job.paused
      ? h('button', { type: 'button', class: 'button', id: 'action-resume', disabled: readOnly || busy, title: why, onclick: () => void act('resume') }, 'Resume')
      : h('button', { type: 'button', class: 'button', id: 'action-pause', disabled: readOnly || busy, title: why, onclick: () => void act('pause') }, 'Pause');
    const run = h('button', { type: 'button', class: 'button button-primary', id: 'action-run', disabled: readOnly || busy, title: why, onclick: () => void act('run') }, 'Run now');
    replace(actions, toggle, run, readOnly ? h('span', { class: 'help' }, 'Read-only: needs the operate scope') : null);
  }

  function render(): void {
    if (job === undefined) return;
    document.title = `${id} · xcore`;
    const failing = job.lastRun !== null && (job.lastRun.status === 'failed' || job.lastRun.status === 'timed_out');
    replace(badges,
      h('span', { class: 'owner' }, job.owner),
      job.paused ? badge('paused', 'warn') : badge('active', 'ok'),
      job.running > 0 ? badge(`${job.running} running`, 'info') : null,
      failing ? badge('failing', 'bad') : null,
      job.attached ? null : badge('held elsewhere', 'muted'));
    const p = job.policy;
    replace(facts, dl([
      ['Trigger', h('code', null, job.trigger)],
      ['Next run', job.paused ? h('span', { class: 'muted' }, 'paused') : timeEl(job.nextRunAt, 'none (trigger exhausted)')],
      ['Last run', lastRunCell(job.lastRun)],
      ['Runs recorded', String(job.runs)],
      ['Running', `${job.running} (${job.runningScope === 'cluster' ? 'all processes' : 'this process'})`],
      ['Policy', `max ${String(p['maxInstances'])} at once, overlap ${String(p['overlap'])}, coalesce ${String(p['coalesce'])}, retries ${String(p['retries'])}, timeout ${p['timeoutMs'] === null ? 'none' : duration(p['timeoutMs'] as number)}`],
      ['Arguments', h('code', { class: 'args' }, JSON.stringify(job.args))],
      ['Held by', job.heldBy.length === 0 ? h('span', { class: 'muted' }, 'no live process') : job.heldBy.join(', ')],
      ['Updated', timeEl(job.updatedAt)],
    ]));
    renderActions();
  }

  async function loadJob(): Promise<void> {
    try {
      job = await admin<JobDetail>('GET', jobPath(id));
      replace(message);
      render();
    } catch (error) {
      replace(message, error instanceof ApiError && error.status === 404 ? h('div', { class: 'error-box', role: 'alert' }, `No job ${id}: it was removed, or the link is wrong.`) : errorBox(error));
    }
    try {
      const next = await admin<{ items: string[]; paused: boolean }>('GET', `${jobPath(id)}/next?count=5`);
      nextNote.textContent = next.paused ? 'Paused: the times it would have if resumed now.' : '';
      replace(nextRuns, ...(next.items.length === 0 ? [h('li', { class: 'muted' }, 'None: the trigger is exhausted')]
        : next.items.map((t) => h('li', null, h('time', { datetime: t }, new Date(t).toLocaleString()), ' ', h('span', { class: 'muted' }, relative(new Date(t)))))));
    } catch (error) {
      replace(nextRuns, h('li', { class: 'muted' }, error instanceof Error ? error.message : 'unavailable'));
    }
  }

  async function loadHistory(reset: boolean): Promise<void> {
    const query = new URLSearchParams({ job: id, limit: String(HISTORY_PAGE) });
    if (!reset && historyCursor !== null) query.set('cursor', historyCursor);
    try {
      const page = await admin<Page<LoggedRun> & { source: 'runLog' | 'history' }>('GET', `/runs?${query.toString()}`);
      historySource.textContent = page.source === 'runLog' ? 'From the run log.' : 'From the job\'s recent history (configure services.scheduler.runLog to keep every run).';
      historyCursor = page.nextCursor;
      const rows = page.items.map(historyRow);
      if (reset) replace(historyBody, ...(rows.length === 0 ? [h('tr', null, h('td', { colspan: 7, class: 'empty' }, 'No runs yet.'))] : rows));
      else historyBody.append(...rows);
      more.hidden = historyCursor === null;
    } catch (error) {
      replace(historyBody, h('tr', null, h('td', { colspan: 7 }, errorBox(error))));
    }
  }
  more.addEventListener('click', () => void loadHistory(false));

  let timer: number | undefined;
  const unsubscribe = subscribe((events) => {
    if (!events.some((e) => e.jobId === id || e.type === 'resync')) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void Promise.all([loadJob(), loadHistory(true)]), 100);
  });
  void loadJob();
  void loadHistory(true);
  return { el, destroy: () => { unsubscribe(); window.clearTimeout(timer); } };
}
