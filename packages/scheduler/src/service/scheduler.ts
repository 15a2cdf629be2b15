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
import type { ScheduleDefinition, SchedulePolicy, RunRecord, RunSlot, Store, StoredSchedule } from '../stores/store.js';
import type { TriggerSpec } from '../triggers/trigger.js';
import { scheduleHash } from '../stores/schedule-hash.js';
import { planOccurrences } from '../policy/plan.js';
import { nextFireTime } from '../triggers/next-fire-time.js';
import { applyJitter } from '../triggers/jitter.js';
import { retryDelay } from '../triggers/retry-delay.js';
import { validateCronExpression, validateTimezone } from '../triggers/validate.js';
import { Runner } from '../runner/runner.js';
import { SlotKeeper } from '../runner/slot-keeper.js';
import { InlineExecutor, type ExecutionOutcome } from '../executors/inline-executor.js';
import { SchedulerEmitter, type SchedulerEventName, type SchedulerEvents, type SchedulerListener } from '../events/scheduler-events.js';
import { JobAbortedError, JobConflictError, JobInvalidError, JobNotFoundError, SchedulerStoppedError } from '../errors.js';
import { scheduledMethods } from '../decorators/decorators.js';
import {
  BUILTIN_DEFAULTS, internPolicy, resolveDefaults, toTriggerSpec,
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

/** What this process holds per job: its handler and its runs in progress here. */
interface LocalJob {
  fn: JobFunction;
  owner: string;
  historyLimit: number;
  /** Runs of this job in progress in this process (the run slots of a process-local store). */
  running: number;
}

interface QueuedRun {
  readonly definition: ScheduleDefinition;
  readonly scheduledAt: number;
  readonly manual: boolean;
  readonly resolve: (record: RunRecord) => void;
}

const EMPTY_ARGS: readonly unknown[] = Object.freeze([]);
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
  private readonly queues = new Map<string, QueuedRun[]>();
  private inflight = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly jitterTimers = new Set<ReturnType<typeof setTimeout>>();
  private readonly emitter: SchedulerEmitter;
  private readonly failureHooks = new Set<(failure: JobFailure) => void | Promise<void>>();
  private readonly stoppedPlugins = new Set<string>();
  private readonly pluginGenerations = new Map<string, number>();
  private readonly pluginSubscriptions = new Map<string, Set<() => void>>();
  private readonly runner: Runner;
  private readonly executor: InlineExecutor;
  private readonly slots: SlotKeeper;
  private degradedState: { reason: string; since: number } | undefined;
  private firing = false;
  private stopping = false;
  private runSeq = 0;
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
    this.executor = new InlineExecutor({
      logger: this.logger,
      backoff: (attempt, baseMs) => retryDelay(attempt, baseMs, this.random),
      onAttempt: (request, attempt) => {
        if (this.emitter.has('job.started')) {
          this.emitter.emit('job.started', { jobId: request.jobId, owner: request.owner, scheduledAt: new Date(request.scheduledAt), attempt });
        }
      },
    });
    this.slots = new SlotKeeper({
      store: this.store,
      owner: this.owner,
      leaseMs: this.leaseMs,
      logger: this.logger,
      onReaped: (slots) => void this.onReaped(slots),
      onPass: () => {
        for (const id of [...this.queues.keys()]) this.drainQueue(id);
      },
      onError: (error) => this.reportHealth(error),
    });
    this.runner = new Runner({
      store: this.store,
      owner: this.owner,
      logger: this.logger,
      leaseMs: this.leaseMs,
      pollMs: options.pollMs ?? 30_000,
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      plan: planOccurrences,
      exclude: this.unhandled,
      handlers: this.handlers,
      onUnhandled: (ids) => {
        for (const id of ids) {
          this.unhandled.add(id);
          this.logger.warn({ job: id }, 'claimed a schedule with no handler in this process; gave the claim back for a process that has one');
        }
      },
      dispatch: (schedule, scheduledAt, nextRunAt) => this.dispatch(schedule, scheduledAt, nextRunAt),
      onMissed: (schedule, count, nextRunAt) => this.onMissed(schedule, count, nextRunAt),
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
  async stop(options: { readonly deadlineMs?: number; readonly signal?: AbortSignal } = {}): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.runner.stop();
    if (this.jitterTimers.size > 0) {
      this.logger.warn({ count: this.jitterTimers.size }, 'shutdown dropped occurrences waiting for their jitter delay');
      for (const timer of this.jitterTimers) clearTimeout(timer);
      this.jitterTimers.clear();
    }
    for (const [id] of this.queues) this.dropQueue(id);
    const deadlineMs = options.deadlineMs ?? 10_000;
    if (this.inflight > 0 && deadlineMs > 0) {
      await waitFor(this.whenIdle(), deadlineMs, options.signal);
    }
    if (this.inflight > 0) {
      const aborted = this.executor.abortAll(new JobAbortedError(`Run aborted: the scheduler shut down and the drain deadline of ${deadlineMs} ms passed.`));
      this.logger.warn({ count: aborted }, 'drain deadline passed; aborted running jobs');
      await this.whenIdle();
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
      this.handlers.delete(id);
      this.unhandled.add(id);
      this.dropQueue(id);
    }
    for (const off of this.pluginSubscriptions.get(plugin) ?? []) off();
    this.pluginSubscriptions.delete(plugin);
    this.executor.abortAll(new JobAbortedError(`Run aborted: plugin "${plugin}" stopped.`), (request) => request.owner === plugin);
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
        this.handlers.set(id, { fn, owner: scope.owner, historyLimit: resolved.historyLimit, running: 0 });
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
    this.handlers.delete(fullId);
    this.unhandled.delete(fullId);
    this.dropQueue(fullId);
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
    return Promise.resolve(this.launch(definition, Date.now() + this.skewMs, true));
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
  // The run path
  // -------------------------------------------------------------------------------------------

  private dispatch(schedule: StoredSchedule, scheduledAt: number, nextRunAt: number | null): void {
    const { definition } = schedule;
    const jitter = definition.policy.jitterMs;
    if (jitter > 0) {
      const runAt = applyJitter(scheduledAt, jitter, nextRunAt, this.random);
      const delay = runAt - (Date.now() + this.skewMs);
      if (delay > 0) {
        const timer = setTimeout(() => {
          this.jitterTimers.delete(timer);
          this.launch(definition, scheduledAt, false);
        }, delay);
        this.jitterTimers.add(timer);
        return;
      }
    }
    this.launch(definition, scheduledAt, false);
  }

  /**
   * Starts one run. Never throws or rejects.
   *
   * @remarks
   * The hot path: with a process-local store and a synchronous job this allocates no promise
   * and the record is returned synchronously; store writes are not awaited (a failing write
   * marks the scheduler degraded) but are counted as in flight so `stop` waits for them.
   */
  private launch(definition: ScheduleDefinition, scheduledAt: number, manual: boolean): RunRecord | Promise<RunRecord> {
    const job = this.handlers.get(definition.id);
    if (job === undefined) {
      this.logger.warn({ job: definition.id, scheduledAt: new Date(scheduledAt) }, 'occurrence accepted but its handler was detached before it started; not run');
      return { jobId: definition.id, scheduledAt, startedAt: null, finishedAt: null, status: 'aborted', attempts: 0, error: 'handler detached' };
    }
    if (!this.localSlots) return this.launchShared(definition, job, scheduledAt, manual);
    if (job.running < definition.policy.maxInstances) return this.run(definition, job, null, scheduledAt, manual);
    return this.notAcquired(definition, job, scheduledAt, manual);
  }

  /** The run path with run slots in a shared store (`maxInstances` across processes). */
  private async launchShared(definition: ScheduleDefinition, job: LocalJob, scheduledAt: number, manual: boolean): Promise<RunRecord> {
    let runId: string | null = `${this.owner}#${++this.runSeq}`;
    let acquired: boolean;
    this.inflight += 1;
    try {
      const slot: RunSlot = { jobId: definition.id, runId, scheduledAt, owner: this.owner, leaseUntil: Date.now() + this.skewMs + this.leaseMs };
      acquired = await this.store.acquireSlot(slot, definition.policy.maxInstances);
    } catch (error) {
      // The occurrence is committed: run it rather than lose it, bounded by this process's count.
      this.reportHealth(error);
      acquired = job.running < definition.policy.maxInstances;
      runId = null;
    } finally {
      this.settled();
    }
    if (!acquired) return this.notAcquired(definition, job, scheduledAt, manual);
    return this.run(definition, job, runId, scheduledAt, manual);
  }

  /** `maxInstances` runs are in progress: queue the occurrence or skip it. */
  private notAcquired(definition: ScheduleDefinition, job: LocalJob, scheduledAt: number, manual: boolean): RunRecord | Promise<RunRecord> {
    if (definition.policy.overlap === 'queue' && !this.stopping) {
      return new Promise<RunRecord>((resolve) => {
        let queue = this.queues.get(definition.id);
        if (queue === undefined) this.queues.set(definition.id, (queue = []));
        queue.push({ definition, scheduledAt, manual, resolve });
      });
    }
    const record: RunRecord = {
      jobId: definition.id, scheduledAt, startedAt: null, finishedAt: null, status: 'skipped', attempts: 0, owner: this.owner,
      error: `maxInstances (${definition.policy.maxInstances}) runs in progress`, ...(manual ? { manual: true } : {}),
    };
    this.logger.debug({ job: definition.id, scheduledAt: new Date(scheduledAt) }, 'occurrence skipped: maxInstances runs in progress');
    const saved = this.save(record, job.historyLimit);
    if (this.emitter.has('job.skipped')) {
      this.emitter.emit('job.skipped', { jobId: definition.id, owner: definition.owner, scheduledAt: new Date(scheduledAt), reason: 'max_instances' });
    }
    return manual && saved !== undefined ? saved.then(() => record) : record;
  }

  private run(definition: ScheduleDefinition, job: LocalJob, runId: string | null, scheduledAt: number, manual: boolean): RunRecord | Promise<RunRecord> {
    const id = definition.id;
    this.inflight += 1;
    job.running += 1;
    if (runId !== null) this.slots.track(id, runId);
    const outcome = this.executor.run({ jobId: id, owner: definition.owner, fn: job.fn, args: definition.args, policy: definition.policy, scheduledAt });
    if (outcome instanceof Promise) return outcome.then((o) => this.finish(definition, job, runId, scheduledAt, manual, o));
    return this.finish(definition, job, runId, scheduledAt, manual, outcome);
  }

  private finish(definition: ScheduleDefinition, job: LocalJob, runId: string | null, scheduledAt: number, manual: boolean, outcome: ExecutionOutcome): RunRecord | Promise<RunRecord> {
    const id = definition.id;
    job.running -= 1;
    if (runId !== null) {
      this.slots.untrack(runId);
      this.inflight += 1;
      this.store.releaseSlot(id, runId).then(this.afterWrite, this.afterWriteError);
    }
    const record: { -readonly [K in keyof RunRecord]: RunRecord[K] } = {
      jobId: id, scheduledAt, startedAt: outcome.startedAt, finishedAt: outcome.finishedAt, status: outcome.status, attempts: outcome.attempts, owner: this.owner,
    };
    if (outcome.error !== undefined) record.error = errorMessage(outcome.error);
    if (manual) record.manual = true;
    const saved = this.save(record, job.historyLimit);
    this.emitOutcome(definition, record, outcome.error);
    this.settled();
    this.drainQueue(id);
    return manual && saved !== undefined ? saved.then(() => record) : record;
  }

  /** Writes a run record without blocking the run path; `stop` waits for pending writes. */
  private save(record: RunRecord, historyLimit: number): Promise<void> | undefined {
    if (historyLimit <= 0) return undefined;
    this.inflight += 1;
    return this.store.recordRun(record, historyLimit).then(this.afterWrite, this.afterWriteError);
  }

  private readonly afterWrite = (): void => this.settled();
  private readonly afterWriteError = (error: unknown): void => {
    this.reportHealth(error);
    this.settled();
  };

  /** Counterpart of each `inflight += 1` (a run or a store write): called once when it settles. */
  private settled(): void {
    this.inflight -= 1;
    if (this.inflight === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** Resolves once no run or store write is in flight. */
  private whenIdle(): Promise<void> {
    return this.inflight === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private drainQueue(id: string): void {
    const queue = this.queues.get(id);
    if (queue === undefined) return;
    const next = queue.shift();
    if (queue.length === 0) this.queues.delete(id);
    if (next === undefined || this.stopping) return;
    const result = this.launch(next.definition, next.scheduledAt, next.manual);
    if (result instanceof Promise) void result.then(next.resolve);
    else next.resolve(result);
  }

  private dropQueue(id: string): void {
    const queue = this.queues.get(id);
    if (queue === undefined) return;
    this.queues.delete(id);
    for (const q of queue) {
      q.resolve({ jobId: id, scheduledAt: q.scheduledAt, startedAt: null, finishedAt: null, status: 'aborted', attempts: 0, error: 'queued run dropped (job detached or scheduler stopped)' });
    }
  }

  private emitOutcome(definition: ScheduleDefinition, record: RunRecord, error: unknown): void {
    const status = record.status;
    if (status === 'succeeded') {
      if (this.emitter.has('job.succeeded')) this.emitter.emit('job.succeeded', this.runEvent(definition, record, error));
      return;
    }
    const event = status === 'failed' ? 'job.failed' : status === 'timed_out' ? 'job.timed_out' : 'job.aborted';
    this.logger.warn({ job: definition.id, err: error, status, attempts: record.attempts, scheduledAt: new Date(record.scheduledAt) }, `job ${status.replace('_', ' ')}`);
    const payload = this.runEvent(definition, record, error);
    this.emitter.emit(event, payload);
    if (status === 'aborted') return;
    this.bus?.emit('scheduler.job.failed', payload);
    for (const hook of this.failureHooks) {
      try {
        void Promise.resolve(hook({ jobId: definition.id, owner: definition.owner, record, error })).catch((err: unknown) => {
          this.logger.error({ err, job: definition.id }, 'onFailure hook rejected');
        });
      } catch (err) {
        this.logger.error({ err, job: definition.id }, 'onFailure hook threw');
      }
    }
  }

  private runEvent(definition: ScheduleDefinition, record: RunRecord, error: unknown): SchedulerEvents['job.failed'] {
    const base = { jobId: definition.id, owner: definition.owner, scheduledAt: new Date(record.scheduledAt), record };
    return error === undefined ? base : { ...base, error };
  }

  private onMissed(schedule: StoredSchedule, count: number, nextRunAt: number | null): void {
    const { definition } = schedule;
    this.logger.debug({ job: definition.id, count }, 'occurrences missed (misfire grace time / coalesce)');
    if (this.emitter.has('job.missed')) {
      this.emitter.emit('job.missed', { jobId: definition.id, owner: definition.owner, count, nextRunAt: nextRunAt === null ? null : new Date(nextRunAt) });
    }
  }

  private async onReaped(slots: readonly RunSlot[]): Promise<void> {
    for (const slot of slots) {
      try {
        const schedule = await this.store.get(slot.jobId);
        if (schedule === null) continue;
        const job = this.handlers.get(slot.jobId);
        if (schedule.definition.policy.recover && job !== undefined && !this.stopping) {
          this.logger.warn({ job: slot.jobId, scheduledAt: new Date(slot.scheduledAt), deadOwner: slot.owner }, 'recovering a run whose process died');
          this.launch(schedule.definition, slot.scheduledAt, false);
        } else {
          this.logger.warn({ job: slot.jobId, scheduledAt: new Date(slot.scheduledAt), deadOwner: slot.owner }, 'a run was lost with its process (set recover: true to re-run it)');
          await this.save({ jobId: slot.jobId, scheduledAt: slot.scheduledAt, startedAt: null, finishedAt: null, status: 'aborted', attempts: 1, owner: slot.owner, error: 'process died mid-run' }, job?.historyLimit ?? this.defaults.historyLimit);
        }
      } catch (error) {
        this.reportHealth(error);
      }
    }
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

function validateTrigger(trigger: TriggerSpec): void {
  if (trigger.type !== 'cron') return;
  validateTimezone(trigger.timezone);
  validateCronExpression(trigger.expression, trigger.timezone);
}

/** The first fire time of a trigger registered (or changed) at `now`; a date in the past is due at once. */
function firstRunAt(trigger: TriggerSpec, now: number, anchor: number, runs: number): number | null {
  if (trigger.type === 'date') return trigger.runDate;
  return nextFireTime(trigger, now, { anchor, runs });
}

function fromPolicy(p: SchedulePolicy, historyLimit: number): ResolvedDefaults {
  return {
    maxInstances: p.maxInstances, coalesce: p.coalesce, misfireGraceTimeMs: p.misfireGraceTimeMs, maxCatchUp: p.maxCatchUp, timeoutMs: p.timeoutMs,
    retries: p.retries, retryDelayMs: p.retryDelayMs, jitterMs: p.jitterMs, overlap: p.overlap, recover: p.recover, historyLimit,
  };
}

function freezeArgs(args: readonly unknown[] | undefined): readonly unknown[] {
  if (args === undefined || args.length === 0) return EMPTY_ARGS;
  if (!Array.isArray(args)) throw new JobInvalidError(`Job args must be an array, got ${typeof args}.`);
  return Object.freeze([...args]);
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
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
