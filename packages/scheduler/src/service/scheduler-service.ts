/**
 * The `SchedulerService` contract: what a plugin gets from `ctx.getService('scheduler')`.
 *
 * @remarks
 * The contract lives apart from its implementation (`scheduler.ts`), as in Backstage's
 * `SchedulerService`, so callers depend on behaviour, not on the runner or the store.
 */
import type { Logger } from 'pino';
import type { RunRecord, RunStatus } from '../stores/store.js';
import type { SchedulerEventName, SchedulerListener } from '../events/scheduler-events.js';
import type { AddJobOptions, DurationInput, IntervalSpec, ModuleJobOptions, TriggerInput } from './job-options.js';

/**
 * What every run of a job receives.
 *
 * @typeParam A - the type of `args`.
 */
export interface JobContext<A extends readonly unknown[] = readonly unknown[]> {
  /** Aborted when the run times out, the scheduler shuts down past its drain deadline, or the owning plugin stops. */
  readonly signal: AbortSignal;
  /** Fully qualified job id (`<plugin>:<id>` for plugin jobs). */
  readonly jobId: string;
  /** The occurrence this run is for (the trigger time, not the start time). */
  readonly scheduledAt: Date;
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
  /** pino logger bound to `{ job: jobId }` (created on first use). */
  readonly logger: Logger;
  /** The job's `args`. */
  readonly args: A;
}

/** A job's body: sync or async; its return value is ignored, a throw or rejection is a failed attempt. */
export type JobFunction<A extends readonly unknown[] = readonly unknown[]> = (ctx: JobContext<A>) => unknown;

/** The last finished run, as shown on {@link JobInfo}. */
export interface LastRunInfo {
  readonly status: RunStatus;
  readonly scheduledAt: Date;
  readonly finishedAt: Date | null;
  /** Milliseconds from start to finish, or `null` when it never started. */
  readonly durationMs: number | null;
  readonly error?: string;
}

/** The public view of a job. */
export interface JobInfo {
  /** Fully qualified id. */
  readonly id: string;
  /** Plugin name, `config` (YAML jobs) or `app`. */
  readonly owner: string;
  /** Human-readable trigger, e.g. `every 5s`. */
  readonly trigger: string;
  /** Next occurrence, or `null` when the trigger is exhausted. */
  readonly nextRunAt: Date | null;
  readonly lastRun: LastRunInfo | null;
  readonly paused: boolean;
  /** Runs of this job in progress in this process. */
  readonly running: number;
  /** `false` when no handler is registered in this process (its plugin stopped or another process owns it). */
  readonly attached: boolean;
}

/** Changes accepted by `modifyJob`: a new trigger (one kind), args or policy fields. */
export type JobChanges = Omit<Partial<AddJobOptions>, 'id' | 'replaceExisting' | 'removable'>;

/** Options of the `interval(...)` / `cron(...)` helpers and the decorators. */
export type HelperOptions = Omit<AddJobOptions, 'trigger' | 'every' | 'cron' | 'runDate'>;

/** What `onFailure` hooks receive: the final outcome of a run that failed or timed out. */
export interface JobFailure {
  readonly jobId: string;
  readonly owner: string;
  readonly record: RunRecord;
  readonly error: unknown;
}

/** The scheduler's health. */
export type SchedulerHealth =
  | { readonly status: 'ok' }
  | { readonly status: 'degraded'; readonly reason: string; readonly since: Date };

/**
 * Schedules interval, cron and one-shot jobs; each occurrence starts at most once across every
 * process sharing the store.
 *
 * @remarks
 * A plugin's view namespaces ids as `<plugin>:<id>`, lists and controls only the plugin's jobs, and
 * refuses new jobs after the plugin stopped (`XCORE_ERR_SCHEDULER_PLUGIN_STOPPED`). Jobs fire only
 * once every plugin has started. A failing run never stops its schedule. Registration is an
 * idempotent upsert: re-registering the same definition (restart, reload, another process) keeps
 * the schedule's phase, pause state and history.
 *
 * @example
 * ```ts
 * onStart: async (ctx) => {
 *   const scheduler = ctx.getService('scheduler');
 *   await scheduler.addJob(async ({ signal, logger }) => {
 *     await fetch('https://example.com/health', { signal });
 *     logger.info('pinged');
 *   }, { id: 'ping', every: '30s', timeout: '10s', retries: 2 });
 *   await scheduler.cron('0 9 * * 1-5', { id: 'standup', timezone: 'Europe/Berlin' })(() => notify());
 * }
 * ```
 */
export interface SchedulerService {
  /**
   * Registers a job.
   *
   * @throws `XCORE_ERR_JOB_CONFLICT` when the id is taken in this process or by another owner and
   * `replaceExisting` is not set (nothing changes); `XCORE_ERR_JOB_INVALID`, `XCORE_ERR_CRON_INVALID`,
   * `XCORE_ERR_TIMEZONE_INVALID` for bad input, naming the job.
   */
  addJob<A extends readonly unknown[] = readonly unknown[]>(fn: JobFunction<A>, options: AddJobOptions & { readonly args?: A }): Promise<JobInfo>;
  /**
   * Registers a job that runs a module's export (`executor: 'thread'` or `'process'`, or inline).
   *
   * @example
   * ```ts
   * await scheduler.addJob({ id: 'hash', every: '1m', timeout: '30s', executor: 'thread', module: new URL('./hash.js', import.meta.url), export: 'hashAll' });
   * ```
   * @throws `XCORE_ERR_JOB_EXECUTOR_INVALID` when the module cannot be imported, its export is not a
   * function, or `args` cannot be structured-cloned; the errors of the other overload otherwise.
   */
  addJob(options: ModuleJobOptions): Promise<JobInfo>;
  /** `interval('5s', { id })(fn)`: registers `fn` to run every period. */
  interval(spec: DurationInput | IntervalSpec, options: HelperOptions): (fn: JobFunction) => Promise<JobInfo>;
  /** `cron('0 * * * *', { id, timezone })(fn)`: registers `fn` on a cron expression. */
  cron(expression: string, options: HelperOptions): (fn: JobFunction) => Promise<JobInfo>;
  /**
   * Registers every method of `instance` decorated with `@Interval` / `@Cron`, bound to `instance`.
   *
   * @returns the registered jobs.
   */
  register(instance: object): Promise<JobInfo[]>;
  /** Removes a job and its history. @throws `XCORE_ERR_JOB_NOT_FOUND` */
  removeJob(id: string): Promise<void>;
  /** Pauses a job; it stays registered. @throws `XCORE_ERR_JOB_NOT_FOUND` */
  pauseJob(id: string): Promise<JobInfo>;
  /** Resumes a job from now on: occurrences during the pause are not caught up. @throws `XCORE_ERR_JOB_NOT_FOUND` */
  resumeJob(id: string): Promise<JobInfo>;
  /** Changes a job's trigger, args or policy; a changed trigger recomputes the next run. @throws `XCORE_ERR_JOB_NOT_FOUND` */
  modifyJob(id: string, changes: JobChanges): Promise<JobInfo>;
  /** Replaces a job's trigger. @throws `XCORE_ERR_JOB_NOT_FOUND` */
  rescheduleJob(id: string, trigger: TriggerInput): Promise<JobInfo>;
  /** A job's public view, or `undefined` when unknown. */
  getJob(id: string): Promise<JobInfo | undefined>;
  /** Every job visible to this view, ordered by id. */
  jobs(): Promise<JobInfo[]>;
  /**
   * Runs a job now, outside its schedule, and resolves to the run's record (it respects
   * `maxInstances`: at the limit it resolves to a `skipped` record).
   *
   * @throws `XCORE_ERR_JOB_NOT_FOUND`, also when no handler is registered in this process.
   */
  runJob(id: string): Promise<RunRecord>;
  /** Finished runs, newest first. @defaultValue `limit` 20 */
  history(id: string, options?: { readonly limit?: number }): Promise<RunRecord[]>;
  /** Subscribes to a scheduler event; returns the unsubscribe function. */
  on<E extends SchedulerEventName>(event: E, listener: SchedulerListener<E>): () => void;
  /** Calls `hook` when a run has failed or timed out after its last retry (to notify people). */
  onFailure(hook: (failure: JobFailure) => void | Promise<void>): () => void;
  /**
   * `ok`, or `degraded` while the store fails for some part of the scheduler (it retries with
   * backoff): until a claim succeeds when the store was unreachable, until the failing part
   * succeeds for any other error (a key of the wrong type stays degraded until it is deleted).
   */
  health(): SchedulerHealth;
}

declare module '@xcore/core' {
  interface XcoreServices {
    /** The scheduler: interval, cron and date jobs (`@xcore/scheduler`). */
    scheduler: SchedulerService;
  }
}
