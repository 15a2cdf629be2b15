/**
 * The implementation of {@link SchedulerService}: wires the job registry (`job-registry.ts`), the
 * run path (slots, overlap, executor, history, events) and one {@link Runner}, and runs their
 * lifecycle (start firing, drain on stop, detach a stopped plugin).
 *
 * @remarks
 * Handlers live in this process; schedules live in the store. A schedule whose handler is not
 * registered here (its plugin stopped, or another process registered it) is excluded from claims
 * and wakeups, so its occurrences are left for a process that can run them. Per job this process
 * keeps one small record (function, owner, history limit): no timer, closure or logger per job
 * until it runs. It also keeps each job's definition, and puts back the ones the store loses
 * (`schedule-restorer.ts`).
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { setLongTimeout, type EventBus, type PluginAwareService } from '@xcore/core';
import type { RunRecord, Store } from '../stores/store.js';
import type { RunRequest } from '../stores/store-operator.js';
import { planOccurrences } from '../policy/plan.js';
import { Runner, SHARED_STORE_CLAIM_WINDOW_MS } from '../runner/runner.js';
import { RunLeaseKeeper } from '../runner/run-lease-keeper.js';
import { RunDispatcher } from '../runner/run-dispatcher.js';
import { notStartedRecord, RunLifecycle, type LocalJob, type RunFinishedEvent } from '../runner/run.js';
import { InlineExecutor } from '../executors/inline-executor.js';
import { ExecutorSet } from '../executors/executor-set.js';
import { drainReason } from '../executors/isolated-executor.js';
import { executorsConfigSchema, type ExecutorsOptions } from '../executors/executor-config.js';
import type { ExecutionInfo, ExecutorName } from '../executors/executor.js';
import { retryDelay } from '../triggers/retry-delay.js';
import { logRunLines, type RunLineLevel } from '../events/run-lines.js';
import { SchedulerEmitter, type SchedulerEventName, type SchedulerEvents, type SchedulerListener } from '../events/scheduler-events.js';
import { JobAbortedError, JobInvalidError } from '../errors.js';
import { errorMessage } from '../executors/error-message.js';
import { jobLabel, parseSchedulerOptions } from './parse-options.js';
import {
  BUILTIN_DEFAULTS, resolveDefaults, type AddJobOptions, type ModuleJobOptions, type DurationInput, type IntervalSpec, type JobPolicyOptions, type TriggerInput,
} from './job-options.js';
import { JobRegistry } from './job-registry.js';
import { RunRequestTaker } from '../runner/run-requests.js';
import { PresenceKeeper } from '../runner/presence.js';
import { OperatorView } from './operator-view.js';
import { processInfo } from './operator-holders.js';
import type { SchedulerOperatorView } from './operator-types.js';
import { HealthTracker } from './scheduler-health.js';
import { ScheduleRestorer } from './schedule-restorer.js';
import { APP_SCOPE, PluginScopes, type SchedulerScope } from './scheduler-scope.js';
import { setInternals, type SchedulerInternals } from './scheduler-internals.js';
import { RunObservers, type RunObserver } from '../runner/run-observer.js';
import type { RunLogSink } from '../runlog/run-log-sink.js';
import { runLogObserver } from '../runlog/run-log-observer.js';
import { SchedulerMetrics, type SchedulerMetricsOptions } from '../metrics/scheduler-metrics.js';
import { instrumentStore } from '../metrics/instrument-store.js';
import { OVERDUE_DEFAULTS, OverdueWatch, type OverdueWatchConfig } from '../watch/overdue-watch.js';
import type { HelperOptions, JobChanges, JobFailure, JobFunction, JobInfo, SchedulerHealth, SchedulerService } from './scheduler-service.js';

/** Options of {@link Scheduler}. */
export interface SchedulerOptions {
  /** Where schedules live. */
  readonly store: Store;
  /** Parent logger; runs log under `{ job }` children. */
  readonly logger: Logger;
  /** IANA timezone of cron jobs that name none. @defaultValue `'UTC'` */
  readonly timezone?: string;
  /**
   * Policy defaults of every job, and `executor`: where a job addressed by `module` runs when it
   * names none (a function always runs inline). @defaultValue {@link BUILTIN_DEFAULTS}, executor `'inline'`
   */
  readonly defaults?: JobPolicyOptions & { readonly executor?: ExecutorName };
  /** The worker-thread pool and child processes behind `executor: 'thread'` and `'process'` (as `services.scheduler.executors`). */
  readonly executors?: ExecutorsOptions;
  /** Lease of claims and run slots: milliseconds or text like `"30s"`, 1s to 1d. @defaultValue `30000` */
  readonly leaseMs?: DurationInput;
  /** Longest runner sleep between store checks: 10ms to 1d. @defaultValue `30000` */
  readonly pollMs?: DurationInput;
  /** Schedules claimed per store round trip: 1 to 100000. @defaultValue `1000` */
  readonly batchSize?: number;
  /**
   * The runner wakes at most once per this many ms, on a grid of the store's clock whose offset is
   * drawn at random for each tick (so processes sharing a store take turns). One claim then takes
   * every schedule due in the window: fewer store round trips per firing, at the cost of up to
   * this much lateness. `0` wakes at each due time; at most 1 minute.
   * @defaultValue `10` on a shared store (Redis; `SHARED_STORE_CLAIM_WINDOW_MS` in `runner/runner.ts`), `0` on the memory store
   */
  readonly claimWindowMs?: DurationInput;
  /** This process's id in claims and slots. @defaultValue `<hostname>:<pid>:<random>` */
  readonly owner?: string;
  /** The app's event bus; run outcomes and health changes are forwarded as `scheduler.*` events (built only when listened to). */
  readonly events?: EventBus;
  /** Random source for jitter and backoff. @defaultValue `Math.random` */
  readonly random?: () => number;
  /** When `false`, jobs can be registered and inspected but {@link Scheduler.startFiring} fires nothing. @defaultValue `true` */
  readonly enabled?: boolean;
  /**
   * The level of the one line logged when a run starts and when it succeeds (`events/run-lines.ts`);
   * failed, timed-out and aborted runs always end with a `warn` line. @defaultValue `'debug'`
   */
  readonly logRuns?: RunLineLevel;
  /**
   * Where every ended run, skip and miss is logged durably (e.g. `@xcore/runlog-postgres`), beside
   * the bounded per-job history; the operator view's `runs()` queries it. The scheduler owns it
   * from here on: {@link Scheduler.dispose} closes it. @defaultValue none (history only)
   */
  readonly runLog?: RunLogSink;
  /** Metrics options: the job-label limit, and the meter and tracer (default: the global OpenTelemetry providers). */
  readonly metrics?: SchedulerMetricsOptions;
  /** How overdue occurrences and stuck runs are found (`services.scheduler.overdue`). @defaultValue {@link OVERDUE_DEFAULTS} */
  readonly overdue?: Partial<OverdueWatchConfig>;
}

/** What {@link Scheduler.stop} resolves to. */
export interface DrainReport {
  /** Ids of the jobs still running at the drain deadline, aborted (one entry per run). */
  readonly aborted: readonly string[];
}

/**
 * The scheduler service.
 *
 * @remarks
 * The options are validated like the `services.scheduler` config section (the same zod schemas):
 * a wrong one throws `XCORE_ERR_SCHEDULER_OPTIONS_INVALID` naming it, its range and the value.
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
  private readonly leaseMs: number;
  private readonly random: () => number;
  private readonly bus: EventBus | undefined;
  private readonly handlers = new Map<string, LocalJob>();
  private readonly unhandled = new Set<string>();
  private readonly emitter: SchedulerEmitter;
  private readonly failureHooks = new Set<(failure: JobFailure) => void | Promise<void>>();
  private readonly observers: RunObservers;
  /** The durable run log, when configured. */
  readonly runLog: RunLogSink | undefined;
  /** Metrics and traces of this scheduler (OpenTelemetry, and the Prometheus text of `/metrics`). */
  readonly metrics: SchedulerMetrics;
  /** Overdue occurrences and stuck runs (job health, metrics, `job.overdue` / `job.stuck` events). */
  readonly watch: OverdueWatch;
  private readonly plugins = new PluginScopes();
  private readonly healthTracker: HealthTracker;
  private readonly runner: Runner<LocalJob>;
  private readonly runs: RunDispatcher;
  /** Owns each run from admission to record: executor, record, events, the finished-run hook. */
  private readonly lifecycle: RunLifecycle;
  private readonly leases: RunLeaseKeeper;
  /** Inline, and the thread pool and child processes once a job uses them. */
  private readonly executors: ExecutorSet;
  private readonly jobRegistry: JobRegistry;
  /** Takes the run requests (operators' run-now) this process has handlers for. */
  private readonly requests: RunRequestTaker;
  /** Announces this process and what it holds to the others sharing the store. */
  private readonly presence: PresenceKeeper;
  /**
   * The operator view: every job of every owner (list, get, run now, pause, resume, reschedule,
   * remove, history, state, events), not plugin-scoped. The admin API serves it.
   */
  readonly operator: SchedulerOperatorView;
  private readonly restorer: ScheduleRestorer;
  private firing = false;
  private stopping = false;
  private stopped: Promise<DrainReport> | undefined;
  private skewMs = 0;
  /** Unsubscribes the queue retry on slot releases (see {@link Scheduler.startFiring}). */
  private offRelease: (() => void) | undefined;
  private readonly enabled: boolean;
  /**
   * A process-local store (memory) has no other process to share run leases with, so this
   * process's running count is the whole truth and the store's lease calls are skipped on the hot path.
   */
  private readonly localLeases: boolean;

  constructor(input: SchedulerOptions) {
    const options = parseSchedulerOptions(input);
    this.enabled = options.enabled ?? true;
    this.metrics = new SchedulerMetrics(input.metrics ?? {});
    this.store = instrumentStore(options.store, (operation, seconds, failed) => this.metrics.storeCall(operation, seconds, failed));
    this.localLeases = options.store.kind === 'memory';
    this.logger = options.logger;
    const timezone = options.timezone ?? 'UTC';
    // Frozen: every job that sets no policy of its own shares it (and its interned policy).
    const defaults = Object.freeze(resolveDefaults(BUILTIN_DEFAULTS, options.defaults ?? {}));
    this.leaseMs = options.leaseMs ?? 30_000;
    this.random = guardedRandom(options.random ?? Math.random);
    this.bus = options.events;
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.emitter = new SchedulerEmitter(this.logger);
    this.observers = new RunObservers(this.logger);
    this.runLog = options.runLog;
    if (this.runLog !== undefined) this.observers.add(runLogObserver(this.runLog));
    this.observers.add(this.metrics, (runs) => this.metrics.succeeded(runs));
    logRunLines(this.emitter, this.logger, options.logRuns ?? 'debug');
    this.healthTracker = new HealthTracker({ logger: this.logger, emitter: this.emitter, bus: this.bus });
    this.leases = new RunLeaseKeeper({
      store: this.store,
      owner: this.owner,
      leaseMs: this.leaseMs,
      logger: this.logger,
      onReaped: (leases) => void this.runs.onReaped(leases),
      onPass: () => this.runs.drainQueues(),
      onHealth: (error) => this.healthTracker.report('slots', error),
    });
    const backoff = (attempt: number, baseMs: number): number => retryDelay(attempt, baseMs, this.random);
    const onAttempt = (request: ExecutionInfo, attempt: number): void => {
      if (this.emitter.has('job.started')) {
        this.emitter.emit('job.started', { jobId: request.jobId, owner: request.owner, scheduledAt: new Date(request.scheduledAt), attempt });
      }
    };
    this.executors = new ExecutorSet({
      inline: new InlineExecutor({ logger: this.logger, backoff, onAttempt }),
      config: executorsConfigSchema.parse(options.executors ?? {}),
      logger: this.logger,
      backoff,
      onAttempt,
    });
    this.lifecycle = new RunLifecycle({
      store: this.store, logger: this.logger, owner: this.owner, localLeases: this.localLeases, executors: this.executors, leases: this.leases,
      emitter: this.emitter, bus: this.bus, failureHooks: this.failureHooks,
      reportHealth: (source, error) => this.healthTracker.report(source, error),
      afterRun: (jobId) => this.runs.drainQueue(jobId),
      learn: (job, ms) => this.watch.learn(job, ms),
      observers: this.observers,
    });
    this.runs = new RunDispatcher({
      store: this.store, logger: this.logger, owner: this.owner, leaseMs: this.leaseMs, localLeases: this.localLeases, random: this.random,
      handlers: this.handlers, emitter: this.emitter, bus: this.bus, leases: this.leases, lifecycle: this.lifecycle,
      defaultHistoryLimit: defaults.historyLimit, observers: this.observers,
      skew: () => this.skewMs,
      isStopping: () => this.stopping,
      reportHealth: (error) => this.healthTracker.report('run', error),
    });
    this.runner = new Runner({
      store: this.store,
      owner: this.owner,
      logger: this.logger,
      leaseMs: this.leaseMs,
      pollMs: options.pollMs ?? 30_000,
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      claimWindowMs: options.claimWindowMs ?? (this.localLeases ? 0 : SHARED_STORE_CLAIM_WINDOW_MS),
      random: this.random,
      commitSlots: !this.localLeases,
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
      dispatch: (definition, scheduledAt, nextRunAt, job, run) => this.runs.dispatch(definition, scheduledAt, nextRunAt, job, run),
      batch: (dispatch) => this.lifecycle.batch(dispatch),
      onMissed: (definition, count, nextRunAt, missed) => this.runs.onMissed(definition, count, nextRunAt, missed),
      onHealth: (source, error) => this.healthTracker.report(source, error),
      onBatch: (batch) => this.restorer.observe(batch),
      onBurst: (active) => this.lifecycle.finished?.hold(active),
    });
    this.restorer = new ScheduleRestorer({
      store: this.store, logger: this.logger, owner: this.owner, handlers: this.handlers,
      wake: () => this.runner.wake(),
      reportHealth: (error) => this.healthTracker.report('restore', error),
    });
    this.jobRegistry = new JobRegistry({
      store: this.store, timezone, defaults, handlers: this.handlers, unhandled: this.unhandled, emitter: this.emitter, runs: this.runs,
      executors: this.executors, defaultExecutor: options.defaults?.executor ?? 'inline',
      wake: () => this.runner.wake(),
      skew: () => this.skewMs,
      isStopping: () => this.stopping,
    });
    this.requests = new RunRequestTaker({
      store: this.store, owner: this.owner, logger: this.logger,
      pollMs: this.localLeases ? 0 : Math.min(1_000, options.pollMs ?? 30_000),
      has: (jobId) => this.handlers.has(jobId),
      run: (request) => this.runRequested(request),
      onHealth: (error) => this.healthTracker.report('requests', error),
    });
    const since = Date.now();
    this.presence = new PresenceKeeper({
      store: this.store, owner: this.owner, ttlMs: this.leaseMs,
      info: () => processInfo(this.handlers, { host: hostname(), pid: process.pid, since }),
      onHealth: (error) => this.healthTracker.report('presence', error),
    });
    this.operator = new OperatorView({
      store: this.store, owner: this.owner, jobs: this.jobRegistry, handlers: this.handlers, emitter: this.emitter, localRunning: this.localLeases,
      health: () => this.healthTracker.status(),
      firing: () => this.firing,
      runLog: this.runLog,
    });
    this.watch = new OverdueWatch({
      store: this.store, operator: this.operator, handlers: this.handlers, running: () => this.lifecycle.running,
      emitter: this.emitter, bus: this.bus, logger: this.logger,
    }, { ...OVERDUE_DEFAULTS, ...(input.overdue ?? {}) });
    this.metrics.bind({
      overdue: () => this.watch.status().overdue.length,
      stuck: () => this.watch.status().stuck.length,
      running: () => this.lifecycle.running.size,
      queued: () => this.runs.waiting,
      degraded: () => this.healthTracker.status().status === 'degraded',
      jobCounts: async () => (await this.operator.state()).counts,
    });
    setInternals(this, this.internals());
  }

  /** Runs a request this process took (an operator's run-now), with its args and requester on the record. */
  private async runRequested(request: RunRequest): Promise<RunRecord> {
    const manual = { requestedBy: request.requestedBy, requestId: request.requestId };
    const schedule = await this.store.get(request.jobId).catch(() => null);
    if (schedule === null || !this.handlers.has(request.jobId) || this.stopping) {
      return notStartedRecord(request.jobId, request.requestedAt, 'aborted', 'the job was removed, detached or the scheduler stopped before the run started', this.owner, manual);
    }
    const definition = request.args === undefined ? schedule.definition : { ...schedule.definition, args: request.args };
    return this.runs.runNow(definition, request.requestedAt, manual);
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle
  // -------------------------------------------------------------------------------------------

  /** Starts firing: claims due schedules from now on. The service calls it once every plugin started. */
  startFiring(): void {
    if (this.firing || this.stopping) return;
    // Operators' run-now requests and this process's presence (a shared store's other processes
    // read it): also when firing is disabled.
    this.requests.start();
    if (!this.localLeases) this.presence.start();
    if (!this.enabled) {
      this.logger.info('scheduler disabled (services.scheduler.enabled: false): jobs are registered but never fire');
      return;
    }
    this.firing = true;
    void this.store.now().then((now) => {
      this.skewMs = now - Date.now();
    }, (error: unknown) => this.healthTracker.report('claim', error));
    this.runner.start();
    this.leases.start();
    this.watch.start();
    // Occurrences queued behind another process's run (overlap: queue) retry when a slot is
    // released anywhere: the release hint, not only the slot keeper's pass. The pass runs at a
    // fixed phase, so for a job whose period matches it every retry could land while the job's
    // next run holds the slot, and a queued (or recovered) run could wait until shutdown.
    if (!this.localLeases) {
      this.offRelease = this.store.onChange((change) => {
        if (change.kind === 'release') this.runs.drainQueues();
      });
    }
  }

  /**
   * Stops claiming, lets running jobs finish until `deadlineMs` (waited in full, also past
   * 2^31-1 ms), then aborts them (their signal) and records them as `aborted`. Resolves to the
   * ids of the jobs it aborted.
   */
  stop(options: { readonly deadlineMs?: number; readonly signal?: AbortSignal } = {}): Promise<DrainReport> {
    this.stopped ??= this.drain(options);
    return this.stopped;
  }

  /** Ids of the jobs running in this process now (one entry per run), for the shutdown log. */
  runningJobs(): string[] {
    return [...this.lifecycle.running].map((run) => run.request.jobId);
  }

  private async drain(options: { readonly deadlineMs?: number; readonly signal?: AbortSignal }): Promise<DrainReport> {
    this.stopping = true;
    this.offRelease?.();
    // Take no more run requests; the runs already taken finish (or are aborted) with the others.
    const requestsStopped = this.requests.stop();
    this.watch.stop();
    await this.runner.stop();
    this.runs.cancelPending();
    const deadlineMs = options.deadlineMs ?? 10_000;
    const { inflight } = this.lifecycle;
    // Runs on threads and in child processes hear of the drain now; they are killed at the deadline.
    this.lifecycle.signalAll(drainReason(deadlineMs));
    if (inflight.busy && deadlineMs > 0) {
      await waitFor(inflight.whenIdle(), deadlineMs, options.signal);
    }
    let abortedJobs: string[] = [];
    if (inflight.busy) {
      abortedJobs = this.runningJobs();
      const aborted = this.lifecycle.abortAll(new JobAbortedError(`Run aborted: the scheduler shut down and the drain deadline of ${deadlineMs} ms passed.`));
      this.logger.warn({ count: aborted }, 'drain deadline passed; aborted running jobs');
      // Aborted runs finish at once; their writes get one more short chance, then are given up
      // (a store still down cannot be waited for forever; unreleased slots lapse and are reaped).
      await waitFor(inflight.whenIdle(), 1000);
      this.lifecycle.finished?.abandon();
      await inflight.whenIdle();
    }
    await this.lifecycle.close();
    await waitFor(requestsStopped, 1000);
    await this.presence.stop();
    this.leases.stop();
    return { aborted: abortedJobs };
  }

  /** Closes the run log (flushing it for up to 5 s, after {@link Scheduler.stop} so the drain's aborted runs are in it), the executors (no worker thread or child is left) and the store. */
  async dispose(): Promise<void> {
    try {
      await this.runLog?.close();
      // A scheduler disposed without stop (a throwaway one, like the config check's) still ends its worker threads and children.
      await this.lifecycle.close();
    } finally {
      await this.store.close();
    }
  }

  /**
   * Observes every run that ends, occurrence skipped and misfire decision of this process (what
   * the run log and the metrics are fed from). Returns the function that stops observing.
   */
  observeRuns(observer: RunObserver): () => void {
    return this.observers.add(observer);
  }

  /** Detaches a stopped plugin: its schedules stop firing here, its running jobs are aborted, its view refuses changes. */
  onPluginStopped(plugin: string): void {
    for (const [id, job] of this.handlers) {
      if (job.owner !== plugin) continue;
      job.attached = false;
      this.handlers.delete(id);
      this.unhandled.add(id);
      this.runs.dropQueue(id);
    }
    this.plugins.stop(plugin);
    this.lifecycle.abortAll(new JobAbortedError(`Run aborted: plugin "${plugin}" stopped.`), (request) => request.owner === plugin);
    this.runner.wake();
    // Other processes stop counting this one as holding the plugin's jobs now, not at the next renewal.
    this.presence.refresh();
  }

  // -------------------------------------------------------------------------------------------
  // SchedulerService (app scope: un-namespaced ids, every job visible)
  // -------------------------------------------------------------------------------------------

  addJob<A extends readonly unknown[] = readonly unknown[]>(fn: JobFunction<A>, options: AddJobOptions & { readonly args?: A }): Promise<JobInfo>;
  addJob(options: ModuleJobOptions): Promise<JobInfo>;
  addJob(fnOrOptions: JobFunction | ModuleJobOptions, options?: AddJobOptions): Promise<JobInfo> {
    return options === undefined && typeof fnOrOptions === 'object' && fnOrOptions !== null
      ? this.jobRegistry.add(APP_SCOPE, undefined, fnOrOptions)
      : this.jobRegistry.add(APP_SCOPE, fnOrOptions as JobFunction, options as AddJobOptions);
  }
  interval(spec: DurationInput | IntervalSpec, options: HelperOptions): (fn: JobFunction) => Promise<JobInfo> {
    return this.helper(APP_SCOPE, options, { every: spec });
  }
  cron(expression: string, options: HelperOptions): (fn: JobFunction) => Promise<JobInfo> {
    return this.helper(APP_SCOPE, options, { cron: expression });
  }
  register(instance: object): Promise<JobInfo[]> {
    return this.jobRegistry.register(APP_SCOPE, instance);
  }
  removeJob(id: string): Promise<void> {
    return this.jobRegistry.remove(APP_SCOPE, id);
  }
  pauseJob(id: string): Promise<JobInfo> {
    return this.jobRegistry.pause(APP_SCOPE, id);
  }
  resumeJob(id: string): Promise<JobInfo> {
    return this.jobRegistry.resume(APP_SCOPE, id);
  }
  modifyJob(id: string, changes: JobChanges): Promise<JobInfo> {
    return this.jobRegistry.modify(APP_SCOPE, id, changes);
  }
  rescheduleJob(id: string, trigger: TriggerInput): Promise<JobInfo> {
    return this.jobRegistry.modify(APP_SCOPE, id, { trigger });
  }
  getJob(id: string): Promise<JobInfo | undefined> {
    return this.jobRegistry.get(APP_SCOPE, id);
  }
  jobs(): Promise<JobInfo[]> {
    return this.jobRegistry.list(APP_SCOPE);
  }
  runJob(id: string): Promise<RunRecord> {
    return this.jobRegistry.run(APP_SCOPE, id);
  }
  history(id: string, options?: { readonly limit?: number }): Promise<RunRecord[]> {
    return this.jobRegistry.history(APP_SCOPE, id, options);
  }
  on<E extends SchedulerEventName>(event: E, listener: SchedulerListener<E>): () => void {
    return this.emitter.on(event, listener);
  }
  /**
   * Subscribes to every finished run of this process: one call per run that reached the run path
   * (succeeded, failed, timed out, aborted, skipped, dropped from a queue, lost with its process),
   * with its record as written to the job's history, the job's owner and the thrown value.
   *
   * @remarks
   * The one place a finished run's record is published (run-log sinks, metrics). Delivered
   * synchronously on the run path: keep listeners cheap (queue, don't await). A listener that
   * throws is logged and skipped. Returns the unsubscribe function.
   */
  onRunFinished(listener: (run: RunFinishedEvent) => void): () => void {
    return this.lifecycle.onRunFinished(listener);
  }
  onFailure(hook: (failure: JobFailure) => void | Promise<void>): () => void {
    this.failureHooks.add(hook);
    return () => void this.failureHooks.delete(hook);
  }
  health(): SchedulerHealth {
    return this.healthTracker.status();
  }

  /** The scoped operations plugin views and the YAML config use (see `scheduler-internals.ts`). */
  private internals(): SchedulerInternals {
    const { plugins, emitter } = this;
    return {
      jobs: this.jobRegistry,
      plugins,
      helper: (scope, options, trigger) => this.helper(scope, options, trigger),
      on: <E extends SchedulerEventName>(scope: SchedulerScope, event: E, listener: SchedulerListener<E>): (() => void) => {
        if (scope.plugin === undefined) return emitter.on(event, listener);
        const plugin = scope.plugin;
        const off = emitter.on(event, (payload: SchedulerEvents[E]) => {
          if (!('owner' in payload) || payload.owner === plugin) listener(payload);
        });
        return plugins.track(plugin, off);
      },
      onFailure: (scope, hook) => {
        if (scope.plugin === undefined) return this.onFailure(hook);
        const plugin = scope.plugin;
        return plugins.track(plugin, this.onFailure((failure) => (failure.owner === plugin ? hook(failure) : undefined)));
      },
    };
  }

  /**
   * The `interval(...)` / `cron(...)` helpers for `scope`: `(fn) => addJob(fn, { ...options, ...trigger })`.
   * Options that cannot even be copied (a throwing getter) reject like any other bad option.
   */
  private helper(scope: SchedulerScope, options: HelperOptions, trigger: Pick<AddJobOptions, 'every' | 'cron'>): (fn: JobFunction) => Promise<JobInfo> {
    return (fn) => {
      let merged: AddJobOptions;
      try {
        // Spreading a string would make one key per character: refuse what is not an object here.
        if (typeof options !== 'object' || options === null) return this.jobRegistry.add(scope, fn, options as never);
        merged = { ...(options as AddJobOptions), ...trigger };
      } catch (cause) {
        return Promise.reject(new JobInvalidError(`${jobLabel(undefined)}: the helper's options could not be read (${errorMessage(cause)}); pass a plain object like { id: 'ping' }. Nothing was stored.`, { cause }));
      }
      return this.jobRegistry.add(scope, fn, merged);
    };
  }
}

/** `random`, answering `Math.random()` when it throws or leaves `[0, 1)`: jitter and backoff must not break the run path. */
function guardedRandom(random: () => number): () => number {
  if (random === Math.random) return random;
  return () => {
    try {
      const r = random();
      return r >= 0 && r < 1 ? r : Math.random();
    } catch {
      return Math.random();
    }
  };
}

/** Resolves once `promise` settles, `ms` pass (any length: {@link setLongTimeout}) or `signal` aborts. */
function waitFor(promise: Promise<unknown>, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setLongTimeout(done, ms);
    const onAbort = (): void => done();
    signal?.addEventListener('abort', onAbort, { once: true });
    void promise.then(done, done);
    function done(): void {
      timer.clear();
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
  });
}

declare module '@xcore/core' {
  interface XcoreEvents {
    /** A run of any job succeeded (every job of every owner in this process, as `job.succeeded`). */
    'scheduler.job.succeeded': SchedulerEvents['job.succeeded'];
    /** A run failed: its last attempt threw or rejected, after every retry (one event per run). */
    'scheduler.job.failed': SchedulerEvents['job.failed'];
    /** A run's last attempt timed out, after every retry (one event per run). */
    'scheduler.job.timed_out': SchedulerEvents['job.timed_out'];
    /** A run was aborted by shutdown or by its plugin stopping. */
    'scheduler.job.aborted': SchedulerEvents['job.aborted'];
    /** Occurrences were dropped by the misfire/coalesce policy (e.g. after downtime). */
    'scheduler.job.missed': SchedulerEvents['job.missed'];
    /** An occurrence was not run because `maxInstances` runs were in progress (`overlap: skip`). */
    'scheduler.job.skipped': SchedulerEvents['job.skipped'];
    /** An occurrence has not started within its grace of being due (nothing fired it); once per occurrence. */
    'scheduler.job.overdue': SchedulerEvents['job.overdue'];
    /** A run is running past its configured or learned bound; once per run. */
    'scheduler.job.stuck': SchedulerEvents['job.stuck'];
    /** The scheduler's store failed; it retries with backoff. */
    'scheduler.degraded': SchedulerEvents['scheduler.degraded'];
    /** The store answers again. */
    'scheduler.recovered': SchedulerEvents['scheduler.recovered'];
  }
}
