/**
 * The implementation of {@link SchedulerOperatorView}: every job of every owner, for operators.
 *
 * @remarks
 * Reads go to the store (paged by id, counted in bounded steps, so 100k jobs are never loaded at
 * once on Redis); writes go through the job registry with the app's scope (every job visible,
 * owners kept), so they emit the same `job.*` events as a plugin's own calls. Running a job now
 * goes through the store as a run request that exactly one process with the handler takes.
 */
import { randomUUID } from 'node:crypto';
import { JobInvalidError, JobNotFoundError, JobQueryInvalidError, JobRemoveRefusedError, JobRunRefusedError, RunRequestNotFoundError } from '../errors.js';
import type { SchedulerEmitter, SchedulerEventName } from '../events/scheduler-events.js';
import type { LocalJob } from '../runner/run.js';
import type { RunRecord, StoredSchedule, Store } from '../stores/store.js';
import type { ProcessPresence, RunRequestState, ScheduleFilter } from '../stores/store-operator.js';
import type { TriggerInput } from './job-options.js';
import type { JobRegistry } from './job-registry.js';
import { holdersOf, NON_PLUGIN_OWNERS } from './operator-holders.js';
import { decodeCursor, encodeCursor, iso, operatorEvent, operatorJob, operatorJobDetail, operatorRun, type JobPresence } from './operator-json.js';
import type {
  JobListQuery, JobPage, NextRuns, LoggedRunPage, OperatorEvent, RunQuery, OperatorEventFilter, OperatorJobDetail, RunNowOptions, RunPage, RunRequestView, SchedulerOperatorView, SchedulerState,
} from './operator-types.js';
import { APP_SCOPE } from './scheduler-scope.js';
import { queryRuns } from './operator-runs.js';
import type { RunLogSink } from '../runlog/run-log-sink.js';
import { upcomingRuns } from '../triggers/upcoming-runs.js';
import type { SchedulerHealth } from './scheduler-service.js';

/** Every scheduler event an operator can follow. */
export const OPERATOR_EVENT_TYPES = [
  'job.added', 'job.removed', 'job.modified', 'job.paused', 'job.resumed', 'job.started', 'job.succeeded', 'job.failed', 'job.timed_out',
  'job.aborted', 'job.missed', 'job.skipped', 'job.overdue', 'job.stuck', 'scheduler.degraded', 'scheduler.recovered',
] as const satisfies readonly SchedulerEventName[];

/** How long a run request waits for a process to take it. */
export const RUN_REQUEST_TTL_MS = 60_000;
/** Longest wait `runNow` and `runRequest` accept. */
export const MAX_WAIT_MS = 300_000;
/** Most occurrence times `nextRuns` lists. */
export const MAX_NEXT_RUNS = 100;
/** How long `state()` reuses its job counts. */
export const COUNTS_TTL_MS = 2_000;
/** Store calls one listing makes at most before answering a short page with a cursor. */
const LIST_CALLS = 20;
/** Most history records read to find a page's boundary (the largest `historyLimit`). */
const MAX_HISTORY = 10_000;

/** What the operator view works with (owned by the scheduler). */
export interface OperatorViewDeps {
  readonly store: Store;
  /** This process's owner id. */
  readonly owner: string;
  readonly jobs: JobRegistry;
  /** Handlers registered in this process. */
  readonly handlers: ReadonlyMap<string, LocalJob>;
  readonly emitter: SchedulerEmitter;
  health(): SchedulerHealth;
  firing(): boolean;
  /** True for a process-local store: this process's running counts are the whole truth. */
  readonly localRunning: boolean;
  /** The durable run log, when configured (`runs` reads it). */
  readonly runLog: RunLogSink | undefined;
}

/** The scheduler's operator view. */
export class OperatorView implements SchedulerOperatorView {
  /** The last job counts, or the computation in progress (`at` unset). */
  private countsCache: { promise: Promise<{ counts: SchedulerState['counts']; at: number }>; at: number | undefined } | undefined;

  constructor(private readonly deps: OperatorViewDeps) {}

  async state(): Promise<SchedulerState> {
    const { store, owner } = this.deps;
    const health = this.deps.health();
    const processes = await store.processes().catch(() => null);
    const list = processes ?? [];
    const { counts, at } = await this.counts();
    return {
      backend: store.kind,
      owner,
      degraded: health.status === 'ok' ? null : { reason: health.reason, since: health.since.toISOString() },
      firing: this.deps.firing(),
      processes: this.deps.localRunning ? 1 : processes === null ? null : list.length + (list.some((p) => p.owner === owner) ? 0 : 1),
      processList: list.map((p) => ({ owner: p.owner, host: p.info.host, pid: p.info.pid, since: iso(p.info.since)!, plugins: [...(p.info.plugins ?? [])], self: p.owner === owner })),
      counts,
      countedAt: iso(at)!,
      runningScope: this.deps.localRunning ? 'process' : 'cluster',
    };
  }

  /**
   * The job counts, computed at most once per {@link COUNTS_TTL_MS} (concurrent callers share
   * one computation): on Redis counting 100k jobs is about 20 store calls.
   */
  private counts(): Promise<{ counts: SchedulerState['counts']; at: number }> {
    const cached = this.countsCache;
    if (cached !== undefined && (cached.at === undefined || Date.now() - cached.at < COUNTS_TTL_MS)) return cached.promise;
    const entry: { promise: Promise<{ counts: SchedulerState['counts']; at: number }>; at: number | undefined } = { promise: this.countAll(), at: undefined };
    this.countsCache = entry;
    entry.promise.then((result) => (entry.at = result.at), () => {
      if (this.countsCache === entry) this.countsCache = undefined;
    });
    return entry.promise;
  }

  private async countAll(): Promise<{ counts: SchedulerState['counts']; at: number }> {
    const { store } = this.deps;
    let jobs = 0;
    let paused = 0;
    let failing = 0;
    let running = 0;
    for (let after: string | null = null, calls = 0; calls === 0 || (after !== null && calls < 10_000); calls++) {
      const counts = await store.countSchedules(after);
      jobs += counts.schedules;
      paused += counts.paused;
      failing += counts.failing;
      running += counts.running ?? 0;
      after = counts.next;
    }
    if (this.deps.localRunning) for (const job of this.deps.handlers.values()) running += job.running;
    return { counts: { jobs, paused, failing, running }, at: Date.now() };
  }

  async listJobs(query: JobListQuery = {}): Promise<JobPage> {
    const limit = intIn('limit', query.limit, 1, 500, 50);
    const filter = storeFilter(query);
    if (filter === undefined) return { items: [], nextCursor: null };
    let after = query.cursor === undefined ? null : cursorId(query.cursor);
    const processes = await this.processes();
    const items: JobPage['items'][number][] = [];
    for (let calls = 0; calls < LIST_CALLS && items.length < limit; calls++) {
      const page = await this.deps.store.listPage(after, limit - items.length, filter);
      for (const schedule of page.items) {
        const presence = this.presence(schedule, processes, schedule.running);
        if (query.state === 'running' && presence.running === 0) continue;
        items.push(operatorJob(schedule, presence));
      }
      after = page.next;
      if (after === null) break;
      // A process-local store answers without I/O: let timers (the runner) run between scans.
      if (this.deps.localRunning) await new Promise((resolve) => setImmediate(resolve));
    }
    return { items, nextCursor: after === null ? null : encodeCursor('jobs', { a: after }) };
  }

  async getJob(id: string): Promise<OperatorJobDetail> {
    const schedule = await this.find(id);
    return operatorJobDetail(schedule, this.presence(schedule, await this.processes()));
  }

  async history(id: string, query: { readonly limit?: number; readonly cursor?: string } = {}): Promise<RunPage> {
    const limit = intIn('limit', query.limit, 1, 500, 20);
    const boundary = query.cursor === undefined ? undefined : decodeCursor('runs', query.cursor);
    await this.find(id);
    const offset = typeof boundary?.['o'] === 'number' ? Math.max(0, boundary['o']) : 0;
    let records = await this.deps.store.history(id, offset + limit + 65);
    let start = 0;
    if (boundary !== undefined) {
      // Newer runs push the boundary down the list: look for it at or after where it was.
      let at = findRecord(records, String(boundary['k']), offset);
      if (at < 0 && records.length >= offset + limit + 65) {
        records = await this.deps.store.history(id, MAX_HISTORY);
        at = findRecord(records, String(boundary['k']), offset);
      }
      if (at < 0) return { items: [], nextCursor: null };
      start = at + 1;
    }
    const page = records.slice(start, start + limit);
    const last = page[page.length - 1];
    const more = last !== undefined && records.length > start + limit;
    return { items: page.map(operatorRun), nextCursor: more ? encodeCursor('runs', { o: start + limit - 1, k: recordKey(last) }) : null };
  }

  runs(query?: RunQuery): Promise<LoggedRunPage> {
    return queryRuns({ runLog: this.deps.runLog, store: this.deps.store, find: (id) => this.find(id) }, query);
  }

  async runNow(id: string, options: RunNowOptions): Promise<RunRequestView> {
    const requestedBy = options?.requestedBy;
    if (typeof requestedBy !== 'string' || requestedBy === '') throw new JobInvalidError(`runNow("${id}"): requestedBy must name who asks (a non-empty string).`);
    const args = options.args;
    if (args !== undefined) checkArgs(id, args);
    const waitMs = intIn('waitMs', options.waitMs, 0, MAX_WAIT_MS, 0);
    const schedule = await this.find(id);
    const holders = this.presence(schedule, await this.processes()).heldBy;
    if (holders.length === 0) throw new JobRunRefusedError(runRefusal(schedule));
    const state = await this.deps.store.requestRun({ requestId: randomUUID(), jobId: id, ...(args === undefined ? {} : { args }), requestedBy, ttlMs: RUN_REQUEST_TTL_MS });
    return waitMs > 0 ? this.wait(state.request.requestId, waitMs, options.signal) : requestView(state);
  }

  async runRequest(requestId: string, options: { readonly waitMs?: number; readonly signal?: AbortSignal } = {}): Promise<RunRequestView> {
    const waitMs = intIn('waitMs', options.waitMs, 0, MAX_WAIT_MS, 0);
    if (waitMs > 0) return this.wait(requestId, waitMs, options.signal);
    const state = await this.deps.store.runRequest(requestId);
    if (state === null) throw new RunRequestNotFoundError(requestId);
    return requestView(state);
  }

  async nextRuns(id: string, count?: number): Promise<NextRuns> {
    const n = intIn('count', count, 1, MAX_NEXT_RUNS, 5);
    const { definition, state } = await this.find(id);
    const times = upcomingRuns(definition.trigger, state, n, state.paused ? Date.now() : undefined);
    return { items: times.map((t) => iso(t)!), paused: state.paused };
  }

  async pause(id: string): Promise<OperatorJobDetail> {
    await this.deps.jobs.pause(APP_SCOPE, id);
    return this.getJob(id);
  }

  async resume(id: string): Promise<OperatorJobDetail> {
    await this.deps.jobs.resume(APP_SCOPE, id);
    return this.getJob(id);
  }

  async reschedule(id: string, trigger: TriggerInput): Promise<OperatorJobDetail> {
    if (trigger === null || typeof trigger !== 'object') throw new JobInvalidError(`reschedule("${id}"): the trigger must be an object such as { type: 'interval', seconds: 30 }.`);
    await this.deps.jobs.modify(APP_SCOPE, id, { trigger });
    return this.getJob(id);
  }

  async remove(id: string): Promise<void> {
    const schedule = await this.find(id);
    if (schedule.definition.removable !== true) {
      const holders = this.presence(schedule, await this.processes()).heldBy;
      if (holders.length > 0) throw new JobRemoveRefusedError(removeRefusal(schedule, holders, this.deps.owner));
    }
    await this.deps.jobs.remove(APP_SCOPE, id);
  }

  subscribe(listener: (event: OperatorEvent) => void, filter: OperatorEventFilter = {}): () => void {
    const types = filter.types === undefined ? OPERATOR_EVENT_TYPES : OPERATOR_EVENT_TYPES.filter((t) => filter.types!.includes(t));
    const offs = types.map((type) =>
      this.deps.emitter.on(type, (payload: object) => {
        const { jobId, owner } = payload as { jobId?: string; owner?: string };
        if (filter.jobId !== undefined && jobId !== undefined && jobId !== filter.jobId) return;
        if (filter.owner !== undefined && owner !== undefined && owner !== filter.owner) return;
        listener(operatorEvent(type, payload, Date.now()));
      }),
    );
    return () => {
      for (const off of offs.splice(0)) off();
    };
  }

  /** The job `id`, or `XCORE_ERR_JOB_NOT_FOUND`. */
  private async find(id: string): Promise<StoredSchedule> {
    if (typeof id !== 'string' || id === '') throw new JobNotFoundError(`A job id must be a non-empty string, got ${JSON.stringify(id)}.`);
    const schedule = await this.deps.store.get(id);
    if (schedule === null) throw new JobNotFoundError(`Job "${id}" not found; the job listing (GET /admin/v1/jobs) shows the ids that exist.`);
    return schedule;
  }

  /** The live processes sharing the store, or none when the store cannot say. */
  private processes(): Promise<ProcessPresence[]> {
    return this.deps.store.processes().catch(() => []);
  }

  private presence(schedule: StoredSchedule, processes: readonly ProcessPresence[], storeRunning?: number): JobPresence {
    const { id, owner } = schedule.definition;
    const local = this.deps.handlers.get(id);
    const attached = local !== undefined && local.attached;
    return {
      running: this.deps.localRunning ? (local?.running ?? 0) : (storeRunning ?? 0),
      runningScope: this.deps.localRunning ? 'process' : 'cluster',
      attached,
      heldBy: holdersOf(id, owner, { owner: this.deps.owner, attached }, processes),
    };
  }

  /** Reads a request until it settles, `waitMs` pass or `signal` aborts; wakes on `run-finished` hints, else every 250 ms. */
  private async wait(requestId: string, waitMs: number, signal: AbortSignal | undefined): Promise<RunRequestView> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const state = await this.deps.store.runRequest(requestId);
      if (state === null) throw new RunRequestNotFoundError(requestId);
      const left = deadline - Date.now();
      if (state.status === 'finished' || state.status === 'expired' || left <= 0 || signal?.aborted === true) return requestView(state);
      await this.nextHint(state.request.jobId, Math.min(250, left), signal);
    }
  }

  private nextHint(jobId: string, ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        off();
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      const off = this.deps.store.onChange((change) => {
        if (change.kind === 'run-finished' && (change.id === undefined || change.id === jobId)) done();
      });
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

/** An integer option in `[min, max]`, `fallback` when absent. @throws `XCORE_ERR_JOB_QUERY_INVALID` */
function intIn(name: string, value: number | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) throw new JobQueryInvalidError(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}.`);
  return value;
}

/** The job id a listing cursor continues after. */
function cursorId(cursor: string): string {
  const value = decodeCursor('jobs', cursor)['a'];
  if (typeof value !== 'string') throw new JobQueryInvalidError('The cursor was not issued by this job listing. Pass the nextCursor of the previous page, or none for the first page.');
  return value;
}

const STATES = ['scheduled', 'paused', 'running', 'done'];

/** The store filter of a listing query; `undefined` when its fields contradict each other (no job can match). */
function storeFilter(query: JobListQuery): ScheduleFilter | undefined {
  if (query.state !== undefined && !STATES.includes(query.state)) throw new JobQueryInvalidError(`state must be one of ${STATES.join(', ')}, got ${JSON.stringify(query.state)}.`);
  for (const [name, value] of [['owner', query.owner], ['q', query.q]] as const) {
    if (value !== undefined && (typeof value !== 'string' || value.length > 200)) throw new JobQueryInvalidError(`${name} must be text of at most 200 characters.`);
  }
  let paused = query.paused;
  let hasNext: boolean | undefined;
  if (query.state === 'paused' || query.state === 'scheduled' || query.state === 'done') {
    const wanted = query.state === 'paused';
    if (paused !== undefined && paused !== wanted) return undefined;
    paused = wanted;
    if (query.state !== 'paused') hasNext = query.state === 'scheduled';
  }
  return {
    ...(query.owner === undefined ? {} : { owner: query.owner }),
    ...(paused === undefined ? {} : { paused }),
    ...(hasNext === undefined ? {} : { hasNext }),
    ...(query.failing === undefined ? {} : { failing: query.failing }),
    ...(query.q === undefined || query.q === '' ? {} : { idContains: query.q }),
  };
}

/** A run record's identity within one job's history. */
function recordKey(r: RunRecord): string {
  return [r.scheduledAt, r.startedAt, r.finishedAt, r.status, r.attempts, r.owner ?? '', r.requestId ?? ''].join('|');
}

function findRecord(records: readonly RunRecord[], key: string, from: number): number {
  for (let i = Math.min(from, records.length); i < records.length; i++) if (recordKey(records[i]!) === key) return i;
  return -1;
}

function checkArgs(id: string, args: readonly unknown[]): void {
  let json: string | undefined;
  try {
    json = Array.isArray(args) ? JSON.stringify(args) : undefined;
  } catch {
    json = undefined;
  }
  if (json === undefined) throw new JobInvalidError(`runNow("${id}"): args must be a JSON array, e.g. [1, "two"].`);
}

function requestView(state: RunRequestState): RunRequestView {
  const { request } = state;
  return {
    requestId: request.requestId,
    jobId: request.jobId,
    status: state.status,
    requestedBy: request.requestedBy,
    requestedAt: iso(request.requestedAt)!,
    expiresAt: iso(request.expiresAt)!,
    ...(state.takenBy === undefined ? {} : { takenBy: state.takenBy }),
    ...(state.record === undefined ? {} : { record: operatorRun(state.record) }),
  };
}

/** Who the job's owner is, in words. */
function ownerText(schedule: StoredSchedule): string {
  const { owner } = schedule.definition;
  if (owner === 'config') return 'is declared in xcore.yaml';
  if (owner === 'app') return 'was registered by the app\'s code';
  return `belongs to plugin "${owner}"`;
}

function runRefusal(schedule: StoredSchedule): string {
  const { id, owner } = schedule.definition;
  const fix = NON_PLUGIN_OWNERS.has(owner) ? 'no running host has registered it' : `plugin "${owner}" runs in no process sharing the store`;
  return `Job "${id}" ${ownerText(schedule)}, and ${fix}, so nothing could run it; nothing was queued. Start ${NON_PLUGIN_OWNERS.has(owner) ? 'a host that declares it' : `plugin "${owner}"`}, then ask again.`;
}

function removeRefusal(schedule: StoredSchedule, holders: readonly string[], self: string): string {
  const { id, owner } = schedule.definition;
  const where = holders.map((h) => (h === self ? 'this process' : `process ${h}`)).join(', ');
  const what = NON_PLUGIN_OWNERS.has(owner) ? `${where} registered it` : `the plugin runs in ${where}`;
  const fix = owner === 'config'
    ? 'Pause it to stop it now, and delete it from xcore.yaml; once no running host declares it, remove it.'
    : owner === 'app'
      ? 'Pause it to stop it now, and stop registering it in the app\'s code; or register it with removable: true.'
      : `Pause it to stop it now; stop or uninstall plugin "${owner}" first, or have it register the job with removable: true.`;
  return `Job "${id}" ${ownerText(schedule)} and ${what}: it would be registered again, so it was not removed. ${fix}`;
}
