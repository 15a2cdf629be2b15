/**
 * The implementation of {@link SchedulerService}: the job registry, the run path (slots,
 * overlap, executor, history, events) and the lifecycle around one {@link Runner}.
 *
 * @remarks
 * Handlers live in this process; schedules live in the store. A schedule whose handler is not
 * registered here (its plugin stopped, or another process registered it) is excluded from claims
 * and wakeups, so its occurrences are left for a process that can run them. Per job this process
 * keeps one small record (function, owner, history limit): no timer, closure or logger per job
 * until it runs.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { EventBus, PluginAwareService } from '@xcore/core';
import type { ScheduleDefinition, RunRecord, Store, StoredSchedule } from '../stores/store.js';
import { scheduleHash } from '../stores/schedule-hash.js';
import { planOccurrences } from '../policy/plan.js';
import { nextFireTime } from '../triggers/next-fire-time.js';
import { validateTimezone } from '../triggers/validate.js';
import { Runner, SHARED_STORE_CLAIM_WINDOW_MS } from '../runner/runner.js';
import { SlotKeeper } from '../runner/slot-keeper.js';
import { RunDispatcher, errorMessage, type LocalJob } from '../runner/run-dispatcher.js';
import { SchedulerEmitter, type SchedulerEventName, type SchedulerEvents, type SchedulerListener } from '../events/scheduler-events.js';
import { JobAbortedError, JobConflictError, JobInvalidError, JobNotFoundError, SchedulerStoppedError } from '../errors.js';
import { scheduledMethods } from '../decorators/decorators.js';
import {
  BUILTIN_DEFAULTS, firstRunAt, freezeArgs, fromPolicy, internPolicy, resolveDefaults, toTriggerSpec, validateTrigger,
  type AddJobOptions, type DurationInput, type IntervalSpec, type JobPolicyOptions, type ResolvedDefaults, type TriggerInput,
} from './job-options.js';
import { toJobInfo } from './job-info.js';
import type { HelperOptions, JobChanges, JobFailure, JobFunction, JobInfo, SchedulerHealth, SchedulerService } from './scheduler-service.js';

/** Options of {@link Scheduler}. */
export interface SchedulerOptions {
  /** Where schedules live. */
  readonly store: Store;
  /** Parent logger; runs log under `{ job }` children. */
  readonly logger: Logger;
  /** IANA timezone of cron jobs that name none. @defaultValue `'UTC'` */
  readonly timezone?: string;
  /** Policy defaults of every job. @defaultValue {@link BUILTIN_DEFAULTS} */
  readonly defaults?: JobPolicyOptions;
  /** Lease of claims and run slots. @defaultValue `30000` */
  readonly leaseMs?: number;
  /** Longest runner sleep between store checks. @defaultValue `30000` */
  readonly pollMs?: number;
  /** Schedules claimed per store round trip. @defaultValue `1000` */
  readonly batchSize?: number;
  /**
   * The runner wakes at most once per this many ms (a grid of the store's clock, offset at random
   * per process), so one claim takes every schedule due in the window: fewer store round trips per
   * firing, at the cost of up to this much lateness. `0` wakes at each due time.
   * @defaultValue `10` on a shared store (Redis; `SHARED_STORE_CLAIM_WINDOW_MS` in `runner/runner.ts`), `0` on the memory store
   */
  readonly claimWindowMs?: number;
  /** This process's id in claims and slots. @defaultValue `<hostname>:<pid>:<random>` */
  readonly owner?: string;
  /** The app's event bus; failures and health changes are forwarded as `scheduler.*` events. */
  readonly events?: EventBus;
  /** Random source for jitter and backoff. @defaultValue `Math.random` */
  readonly random?: () => number;
  /** When `false`, jobs can be registered and inspected but {@link Scheduler.startFiring} fires nothing. @defaultValue `true` */
  readonly enabled?: boolean;
}

/** Who is calling: the app (root), the config (YAML jobs) or a plugin (namespaced view). */
export interface SchedulerScope {
  /** Owner recorded on new jobs. */
  readonly owner: string;
  /** Plugin name for plugin views: ids are namespaced `<plugin>:<id>` and only its jobs are visible. */
  readonly plugin?: string;
  /** Throws when the scope may not change anything (stopped plugin). */
  assertLive?(): void;
}


const APP_SCOPE: SchedulerScope = { owner: 'app' };

/**
 * The scheduler service.
 *
 * @example
 * ```ts
 * const scheduler = new Scheduler({ store: new MemoryStore(), logger });
 * await scheduler.addJob(() => logger.info('tick'), { id: 'tick', every: '1s' });
 * scheduler.startFiring();
 * ```
 */
export class Scheduler implements SchedulerService, PluginAwareService {
  /** This process's owner id. */
  readonly owner: string;
  readonly store: Store;
  private readonly logger: Logger;
  private readonly timezone: string;
  private readonly defaults: ResolvedDefaults;
  private readonly leaseMs: number;
  private readonly random: () => number;
  private readonly bus: EventBus | undefined;
  private readonly handlers = new Map<string, LocalJob>();
  private readonly pending = new Set<string>();
  private readonly unhandled = new Set<string>();
  private readonly emitter: SchedulerEmitter;
  private readonly failureHooks = new Set<(failure: JobFailure) => void | Promise<void>>();
  private readonly stoppedPlugins = new Set<string>();
  private readonly pluginGenerations = new Map<string, number>();
  private readonly pluginSubscriptions = new Map<string, Set<() => void>>();
  private readonly runner: Runner<LocalJob>;
  private readonly runs: RunDispatcher;
  private readonly slots: SlotKeeper;
  private degradedState: { reason: string; since: number } | undefined;
  private firing = false;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private skewMs = 0;
  private readonly enabled: boolean;
  /**
   * A process-local store (memory) has no other process to share run slots with, so this
   * process's running count is the whole truth and the store's slot calls are skipped on the hot path.
   */
  private readonly localSlots: boolean;

  constructor(options: SchedulerOptions) {
    this.enabled = options.enabled ?? true;
    this.store = options.store;
    this.localSlots = options.store.kind === 'memory';
    this.logger = options.logger;
    this.timezone = options.timezone ?? 'UTC';
    validateTimezone(this.timezone);
    this.defaults = resolveDefaults(BUILTIN_DEFAULTS, options.defaults ?? {}, '<defaults>');
    this.leaseMs = options.leaseMs ?? 30_000;
    this.random = options.random ?? Math.random;
    this.bus = options.events;
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.emitter = new SchedulerEmitter(this.logger);
    this.slots = new SlotKeeper({
      store: this.store,
      owner: this.owner,
      leaseMs: this.leaseMs,
      logger: this.logger,
      onReaped: (slots) => void this.runs.onReaped(slots),
      onPass: () => this.runs.drainQueues(),
      onError: (error) => this.reportHealth(error),
    });
    this.runs = new RunDispatcher({
      store: this.store, logger: this.logger, owner: this.owner, leaseMs: this.leaseMs, localSlots: this.localSlots, random: this.random,
      handlers: this.handlers, emitter: this.emitter, failureHooks: this.failureHooks, slots: this.slots, bus: this.bus,
      defaultHistoryLimit: this.defaults.historyLimit,
      skew: () => this.skewMs,
      isStopping: () => this.stopping,
      reportHealth: (error) => this.reportHealth(error),
    });
    this.runner = new Runner({
      store: this.store,
      owner: this.owner,
      logger: this.logger,
      leaseMs: this.leaseMs,
      pollMs: options.pollMs ?? 30_000,
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      claimWindowMs: options.claimWindowMs ?? (this.localSlots ? 0 : SHARED_STORE_CLAIM_WINDOW_MS),
      random: this.random,
      commitSlots: !this.localSlots,
      plan: planOccurrences,
      exclude: this.unhandled,
      handlers: this.handlers,
      current: (job) => job.attached,
      onUnhandled: (ids) => {
        for (const id of ids) {
          this.unhandled.add(id);
          this.logger.warn({ job: id }, 'claimed a schedule with no handler in this process; gave the claim back for a process that has one');
        }
      },
      dispatch: (schedule, scheduledAt, nextRunAt, job, run) => this.runs.dispatch(schedule, scheduledAt, nextRunAt, job, run),
      onMissed: (schedule, count, nextRunAt) => this.runs.onMissed(schedule, count, nextRunAt),
      onHealth: (error) => this.reportHealth(error),
    });
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle
  // -------------------------------------------------------------------------------------------

  /** Starts firing: claims due schedules from now on. The service calls it once every plugin started. */
  startFiring(): void {
    if (this.firing || this.stopping) return;
    if (!this.enabled) {
      this.logger.info('scheduler disabled (services.scheduler.enabled: false): jobs are registered but never fire');
      return;
    }
    this.firing = true;
    void this.store.now().then((now) => {
      this.skewMs = now - Date.now();
    }, (error: unknown) => this.reportHealth(error));
    this.runner.start();
    this.slots.start();
  }

  /**
   * Stops claiming, lets running jobs finish until `deadlineMs`, then aborts them (their signal)
   * and records them as `aborted`.
   */
  stop(options: { readonly deadlineMs?: number; readonly signal?: AbortSignal } = {}): Promise<void> {
    this.stopped ??= this.drain(options);
    return this.stopped;
  }

  private async drain(options: { readonly deadlineMs?: number; readonly signal?: AbortSignal }): Promise<void> {
    this.stopping = true;
    await this.runner.stop();
    this.runs.cancelPending();
    const deadlineMs = options.deadlineMs ?? 10_000;
    if (this.runs.busy && deadlineMs > 0) {
      await waitFor(this.runs.whenIdle(), deadlineMs, options.signal);
    }
    if (this.runs.busy) {
      const aborted = this.runs.executor.abortAll(new JobAbortedError(`Run aborted: the scheduler shut down and the drain deadline of ${deadlineMs} ms passed.`));
      this.logger.warn({ count: aborted }, 'drain deadline passed; aborted running jobs');
      // Aborted runs finish at once; their writes get one more short chance, then are given up
      // (a store still down cannot be waited for forever; unreleased slots lapse and are reaped).
      await waitFor(this.runs.whenIdle(), 1000);
      this.runs.abandonWrites();
      await this.runs.whenIdle();
    }
    this.slots.stop();
  }

  /** Closes the store. */
  async dispose(): Promise<void> {
    await this.store.close();
  }

  /** Detaches a stopped plugin: its schedules stop firing here, its running jobs are aborted, its view refuses changes. */
  onPluginStopped(plugin: string): void {
    this.stoppedPlugins.add(plugin);
    for (const [id, job] of this.handlers) {
      if (job.owner !== plugin) continue;
      job.attached = false;
      this.handlers.delete(id);
      this.unhandled.add(id);
      this.runs.dropQueue(id);
    }
    for (const off of this.pluginSubscriptions.get(plugin) ?? []) off();
    this.pluginSubscriptions.delete(plugin);
    this.runs.executor.abortAll(new JobAbortedError(`Run aborted: plugin "${plugin}" stopped.`), (request) => request.owner === plugin);
    this.runner.wake();
  }

  /** Marks `plugin` as (re)starting and returns a fresh generation number for its view. */
  attachPlugin(plugin: string): number {
    this.stoppedPlugins.delete(plugin);
    const generation = (this.pluginGenerations.get(plugin) ?? 0) + 1;
    this.pluginGenerations.set(plugin, generation);
    return generation;
  }

  /** True while the view of `plugin` with `generation` may change things. */
  isPluginLive(plugin: string, generation: number): boolean {
    return !this.stoppedPlugins.has(plugin) && this.pluginGenerations.get(plugin) === generation;
  }

  /** Remembers an unsubscribe function to call when `plugin` stops. */
  trackSubscription(plugin: string, off: () => void): () => void {
    let set = this.pluginSubscriptions.get(plugin);
    if (set === undefined) {
      set = new Set();
      this.pluginSubscriptions.set(plugin, set);
    }
    set.add(off);
    return () => {
      set.delete(off);
      off();
    };
  }

  // -------------------------------------------------------------------------------------------
  // SchedulerService (app scope: un-namespaced ids, every job visible)
  // -------------------------------------------------------------------------------------------

  addJob<A extends readonly unknown[] = readonly unknown[]>(fn: JobFunction<A>, options: AddJobOptions & { readonly args?: A }): Promise<JobInfo> {
    return this.addJobIn(APP_SCOPE, fn as JobFunction, options);
  }
  interval(spec: DurationInput | IntervalSpec, options: HelperOptions): (fn: JobFunction) => Promise<JobInfo> {
    return (fn) => this.addJobIn(APP_SCOPE, fn, { ...options, every: spec });
  }
  cron(expression: string, options: HelperOptions): (fn: JobFunction) => Promise<JobInfo> {
    return (fn) => this.addJobIn(APP_SCOPE, fn, { ...options, cron: expression });
  }
  register(instance: object): Promise<JobInfo[]> {
    return this.registerIn(APP_SCOPE, instance);
  }
  removeJob(id: string): Promise<void> {
    return this.removeJobIn(APP_SCOPE, id);
  }
  pauseJob(id: string): Promise<JobInfo> {
    return this.pauseJobIn(APP_SCOPE, id);
  }
  resumeJob(id: string): Promise<JobInfo> {
    return this.resumeJobIn(APP_SCOPE, id);
  }
  modifyJob(id: string, changes: JobChanges): Promise<JobInfo> {
    return this.modifyJobIn(APP_SCOPE, id, changes);
  }
  rescheduleJob(id: string, trigger: TriggerInput): Promise<JobInfo> {
    return this.modifyJobIn(APP_SCOPE, id, { trigger });
  }
  getJob(id: string): Promise<JobInfo | undefined> {
    return this.getJobIn(APP_SCOPE, id);
  }
  jobs(): Promise<JobInfo[]> {
    return this.jobsIn(APP_SCOPE);
  }
  runJob(id: string): Promise<RunRecord> {
    return this.runJobIn(APP_SCOPE, id);
  }
  history(id: string, options?: { readonly limit?: number }): Promise<RunRecord[]> {
    return this.historyIn(APP_SCOPE, id, options);
  }
  on<E extends SchedulerEventName>(event: E, listener: SchedulerListener<E>): () => void {
    return this.emitter.on(event, listener);
  }
  onFailure(hook: (failure: JobFailure) => void | Promise<void>): () => void {
    this.failureHooks.add(hook);
    return () => void this.failureHooks.delete(hook);
  }
  health(): SchedulerHealth {
    const d = this.degradedState;
    return d === undefined ? { status: 'ok' } : { status: 'degraded', reason: d.reason, since: new Date(d.since) };
  }

  // -------------------------------------------------------------------------------------------
  // Scoped operations (used by the app scope above and by plugin views)
  // -------------------------------------------------------------------------------------------

  /** The fully qualified id of `id` in `scope`. */
  qualify(scope: SchedulerScope, id: string): string {
    if (typeof id !== 'string' || id.trim() === '') throw new JobInvalidError(`A job id must be a non-empty string, got ${JSON.stringify(id)}.`);
    if (scope.plugin === undefined) return id;
    const prefix = `${scope.plugin}:`;
    return id.startsWith(prefix) ? id : prefix + id;
  }

  /** Registers a job for `scope`. */
  async addJobIn(scope: SchedulerScope, fn: JobFunction, options: AddJobOptions): Promise<JobInfo> {
    this.assertOpen(scope);
    if (options === null || typeof options !== 'object') throw new JobInvalidError('addJob needs options with at least an id and a trigger, e.g. { id: "ping", every: "30s" }.');
    const id = this.qualify(scope, options.id);
    if (typeof fn !== 'function') throw new JobInvalidError(`Job "${id}": the job must be a function, got ${typeof fn}.`);
    const existing = this.handlers.get(id);
    if ((existing !== undefined || this.pending.has(id)) && options.replaceExisting !== true) {
      throw new JobConflictError(`Job "${id}" is already registered in this process (owner "${existing?.owner ?? scope.owner}"); nothing was changed. Use another id or pass replaceExisting: true.`);
    }
    const trigger = toTriggerSpec(options, id, this.timezone);
    validateTrigger(trigger);
    const resolved = resolveDefaults(this.defaults, options, id);
    const definition: ScheduleDefinition = Object.freeze({
      id, owner: scope.owner, trigger, policy: internPolicy(resolved), args: freezeArgs(options.args),
    });
    this.pending.add(id);
    try {
      const now = await this.store.now();
      const result = await this.store.upsert({
        definition, hash: scheduleHash(definition), nextRunAt: firstRunAt(trigger, now, now, 0), anchor: now, replaceExisting: options.replaceExisting === true,
      });
      if (result.status === 'conflict') {
        throw new JobConflictError(`Job "${id}" is registered by "${result.existingOwner}"; nothing was changed. Use another id or pass replaceExisting: true.`);
      }
      let schedule = result.schedule;
      if (result.status === 'updated') schedule = await this.realignPhase(schedule, now);
      const current = this.handlers.get(id);
      if (current === undefined) {
        this.handlers.set(id, { fn, owner: scope.owner, historyLimit: resolved.historyLimit, running: 0, attached: true });
      } else {
        // Replaced: keep the object so runs in progress keep counting against maxInstances.
        current.fn = fn;
        current.owner = scope.owner;
        current.historyLimit = resolved.historyLimit;
      }
      this.unhandled.delete(id);
      this.runner.wake();
      this.emitJob('job.added', definition);
      return toJobInfo(schedule, this.handlers.get(id)?.running ?? 0, true);
    } finally {
      this.pending.delete(id);
    }
  }

  /** Registers the decorated methods of `instance` for `scope`. */
  async registerIn(scope: SchedulerScope, instance: object): Promise<JobInfo[]> {
    const methods = scheduledMethods(instance);
    if (methods.length === 0) {
      throw new JobInvalidError(`register(): ${instance.constructor?.name ?? 'the object'} has no @Interval or @Cron methods (decorate methods, then construct the instance).`);
    }
    const infos: JobInfo[] = [];
    for (const m of methods) {
      const fn: JobFunction = (ctx) => m.method.call(instance, ctx);
      const id = m.options.id ?? m.name;
      infos.push(await this.addJobIn(scope, fn, m.kind === 'interval' ? { ...m.options, id, every: m.spec } : { ...m.options, id, cron: m.spec as string }));
    }
    return infos;
  }

  async removeJobIn(scope: SchedulerScope, id: string): Promise<void> {
    this.assertOpen(scope);
    const schedule = await this.visible(scope, id);
    const fullId = schedule.definition.id;
    await this.store.remove(fullId);
    const local = this.handlers.get(fullId);
    if (local !== undefined) local.attached = false;
    this.handlers.delete(fullId);
    this.unhandled.delete(fullId);
    this.runs.dropQueue(fullId);
    this.emitJob('job.removed', schedule.definition);
  }

  async pauseJobIn(scope: SchedulerScope, id: string): Promise<JobInfo> {
    this.assertOpen(scope);
    const schedule = await this.visible(scope, id);
    await this.store.pause(schedule.definition.id);
    this.emitJob('job.paused', schedule.definition);
    return this.info(await this.visible(scope, id));
  }

  async resumeJobIn(scope: SchedulerScope, id: string): Promise<JobInfo> {
    this.assertOpen(scope);
    const { definition, state } = await this.visible(scope, id);
    const now = await this.store.now();
    // From now on: occurrences that fell inside the pause are not caught up.
    const next = definition.trigger.type === 'date' ? (state.runs > 0 || definition.trigger.runDate <= now ? null : definition.trigger.runDate)
      : nextFireTime(definition.trigger, now, { anchor: state.anchor, runs: state.runs });
    await this.store.resume(definition.id, next);
    this.runner.wake();
    this.emitJob('job.resumed', definition);
    return this.info(await this.visible(scope, id));
  }

  async modifyJobIn(scope: SchedulerScope, id: string, changes: JobChanges): Promise<JobInfo> {
    this.assertOpen(scope);
    const { definition: old, state } = await this.visible(scope, id);
    const fullId = old.id;
    const triggerChanged = changes.trigger !== undefined || changes.every !== undefined || changes.cron !== undefined || changes.runDate !== undefined;
    const trigger = triggerChanged ? toTriggerSpec({ ...changes, id: fullId } as AddJobOptions, fullId, this.timezone) : old.trigger;
    validateTrigger(trigger);
    const local = this.handlers.get(fullId);
    const resolved = resolveDefaults(fromPolicy(old.policy, local?.historyLimit ?? this.defaults.historyLimit), changes, fullId);
    const definition: ScheduleDefinition = Object.freeze({
      id: fullId, owner: old.owner, trigger, policy: internPolicy(resolved), args: changes.args === undefined ? old.args : freezeArgs(changes.args),
    });
    const now = await this.store.now();
    const anchor = old.trigger.type === trigger.type ? state.anchor : now;
    const nextRunAt = triggerChanged ? firstRunAt(trigger, now, anchor, state.runs) : state.nextRunAt;
    const result = await this.store.upsert({ definition, hash: scheduleHash(definition), nextRunAt, anchor: now, replaceExisting: true });
    if (result.status === 'conflict') throw new JobConflictError(`Job "${fullId}" is registered by "${result.existingOwner}"; nothing was changed.`);
    if (local !== undefined) local.historyLimit = resolved.historyLimit;
    this.runner.wake();
    this.emitJob('job.modified', definition);
    return this.info(result.schedule);
  }

  async getJobIn(scope: SchedulerScope, id: string): Promise<JobInfo | undefined> {
    const fullId = this.qualify(scope, id);
    const schedule = await this.store.get(fullId);
    if (schedule === null || (scope.plugin !== undefined && schedule.definition.owner !== scope.plugin)) return undefined;
    return this.info(schedule);
  }

  async jobsIn(scope: SchedulerScope): Promise<JobInfo[]> {
    const list = await this.store.list(scope.plugin === undefined ? undefined : { owner: scope.plugin });
    return list.map((s) => this.info(s)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async runJobIn(scope: SchedulerScope, id: string): Promise<RunRecord> {
    this.assertOpen(scope);
    const { definition } = await this.visible(scope, id);
    if (!this.handlers.has(definition.id)) {
      throw new JobNotFoundError(`Job "${definition.id}" has no handler in this process (its plugin stopped, or another process registered it); it cannot run here.`);
    }
    return Promise.resolve(this.runs.launch(definition, Date.now() + this.skewMs, true));
  }

  async historyIn(scope: SchedulerScope, id: string, options?: { readonly limit?: number }): Promise<RunRecord[]> {
    const { definition } = await this.visible(scope, id);
    const limit = options?.limit ?? 20;
    if (!Number.isInteger(limit) || limit < 1) throw new JobInvalidError(`history("${definition.id}"): limit must be an integer >= 1, got ${JSON.stringify(limit)}.`);
    return this.store.history(definition.id, limit);
  }

  /** Subscribes for `scope`: a plugin only gets its own jobs' events (and scheduler health events). */
  onIn<E extends SchedulerEventName>(scope: SchedulerScope, event: E, listener: SchedulerListener<E>): () => void {
    if (scope.plugin === undefined) return this.emitter.on(event, listener);
    const plugin = scope.plugin;
    const off = this.emitter.on(event, (payload: SchedulerEvents[E]) => {
      if (!('owner' in payload) || payload.owner === plugin) listener(payload);
    });
    return this.trackSubscription(plugin, off);
  }

  /** Failure hook for `scope`: a plugin only hears about its own jobs. */
  onFailureIn(scope: SchedulerScope, hook: (failure: JobFailure) => void | Promise<void>): () => void {
    if (scope.plugin === undefined) return this.onFailure(hook);
    const plugin = scope.plugin;
    const off = this.onFailure((failure) => (failure.owner === plugin ? hook(failure) : undefined));
    return this.trackSubscription(plugin, off);
  }

  // -------------------------------------------------------------------------------------------
  // Helpers
  // -------------------------------------------------------------------------------------------

  private reportHealth(error: unknown): void {
    if (error === null || error === undefined) {
      const d = this.degradedState;
      if (d === undefined) return;
      this.degradedState = undefined;
      const degradedForMs = Date.now() - d.since;
      this.logger.info({ degradedForMs }, 'scheduler store recovered');
      this.emitter.emit('scheduler.recovered', { degradedForMs });
      this.bus?.emit('scheduler.recovered', { degradedForMs });
      return;
    }
    if (this.degradedState !== undefined) return;
    const reason = `store error: ${errorMessage(error)}`;
    this.degradedState = { reason, since: Date.now() };
    this.logger.error({ err: error }, 'scheduler degraded: the store failed; retrying with backoff');
    this.emitter.emit('scheduler.degraded', { reason, error });
    this.bus?.emit('scheduler.degraded', { reason, error });
  }

  private emitJob(event: 'job.added' | 'job.removed' | 'job.modified' | 'job.paused' | 'job.resumed', definition: ScheduleDefinition): void {
    if (this.emitter.has(event)) this.emitter.emit(event, { jobId: definition.id, owner: definition.owner });
  }

  private info(schedule: StoredSchedule): JobInfo {
    const id = schedule.definition.id;
    const job = this.handlers.get(id);
    return toJobInfo(schedule, job?.running ?? 0, job !== undefined);
  }

  private async visible(scope: SchedulerScope, id: string): Promise<StoredSchedule> {
    const fullId = this.qualify(scope, id);
    const schedule = await this.store.get(fullId);
    if (schedule === null || (scope.plugin !== undefined && schedule.definition.owner !== scope.plugin)) {
      const where = scope.plugin === undefined ? '' : ` among plugin "${scope.plugin}"'s jobs`;
      throw new JobNotFoundError(`Job "${fullId}" not found${where}; jobs() lists the ids that exist.`);
    }
    return schedule;
  }

  private assertOpen(scope: SchedulerScope): void {
    if (this.stopping) throw new SchedulerStoppedError('The scheduler has stopped; it accepts no new jobs or runs.');
    scope.assertLive?.();
  }

  /** Keeps an updated interval's phase on the stored anchor (the store keeps it for same-kind updates). */
  private async realignPhase(schedule: StoredSchedule, now: number): Promise<StoredSchedule> {
    const { definition, state } = schedule;
    const trigger = definition.trigger;
    if (trigger.type !== 'interval' || trigger.startDate !== undefined || state.anchor === now) return schedule;
    const next = nextFireTime(trigger, now, { anchor: state.anchor, runs: state.runs });
    if (next === state.nextRunAt) return schedule;
    await this.store.setNextRunAt(definition.id, next);
    return { definition, state: { ...state, nextRunAt: next } };
  }
}

function waitFor(promise: Promise<unknown>, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    const onAbort = (): void => done();
    signal?.addEventListener('abort', onAbort, { once: true });
    void promise.then(done, done);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
  });
}

declare module '@xcore/core' {
  interface XcoreEvents {
    /** A scheduled run failed or timed out after its last retry. */
    'scheduler.job.failed': SchedulerEvents['job.failed'];
    /** The scheduler's store failed; it retries with backoff. */
    'scheduler.degraded': SchedulerEvents['scheduler.degraded'];
    /** The store answers again. */
    'scheduler.recovered': SchedulerEvents['scheduler.recovered'];
  }
}
