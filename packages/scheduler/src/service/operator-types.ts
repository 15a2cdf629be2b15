/**
 * The contract of the scheduler's operator view: every job of every owner (on Redis, every job
 * in the cluster), for operators. The admin API, the CLI and a dashboard are its clients.
 *
 * @remarks
 * Values are plain JSON (times as ISO 8601 text), so a client serialises them as they are.
 */
import type { JsonValue, RunLogOutcome, RunLogResultOmitted } from '../runlog/run-log-record.js';
import type { RunLogFilter } from '../runlog/run-log-sink.js';
import type { RunStatus, SchedulePolicy } from '../stores/store.js';
import type { TriggerInput } from './job-options.js';

/** A trigger as JSON, in the shape a YAML job's `trigger` and {@link SchedulerOperatorView.reschedule} take. */
export type TriggerJson =
  | { readonly type: 'interval'; readonly milliseconds: number; readonly startDate?: string; readonly endDate?: string; readonly maxRuns?: number }
  | { readonly type: 'cron'; readonly expression: string; readonly timezone: string; readonly startDate?: string; readonly endDate?: string; readonly maxRuns?: number }
  | { readonly type: 'date'; readonly runDate: string };

/** One run, as the operator view shows it. */
export interface OperatorRun {
  readonly status: RunStatus;
  /** The occurrence (trigger time), or when a manual run was asked for. */
  readonly scheduledAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** From start to finish, ms; `null` when it never started. */
  readonly durationMs: number | null;
  readonly attempts: number;
  readonly error?: string;
  /** The process that ran it. */
  readonly owner?: string;
  /** `true` for a run outside the schedule. */
  readonly manual?: boolean;
  /** Who asked for a manual run. */
  readonly requestedBy?: string;
  /** The run request of a manual run asked for through the operator view. */
  readonly requestId?: string;
}

/** Where the `running` count of a job comes from. */
export type RunningScope = 'cluster' | 'process';

/** A job in a listing. */
export interface OperatorJob {
  /** Fully qualified id (`<plugin>:<id>` for plugin jobs). */
  readonly id: string;
  /** A plugin name, `config` (xcore.yaml) or `app`. */
  readonly owner: string;
  /** The trigger in words, e.g. `every 5s`. */
  readonly trigger: string;
  readonly triggerSpec: TriggerJson;
  /** Next occurrence, `null` when the trigger is exhausted (or none planned). */
  readonly nextRunAt: string | null;
  readonly lastRun: OperatorRun | null;
  readonly paused: boolean;
  /** Runs in progress: in every process sharing the store (`cluster`), or in this process (`process`, the memory store). */
  readonly running: number;
  readonly runningScope: RunningScope;
  /** True when this process has the job's handler. */
  readonly attached: boolean;
  /** Owner ids of the live processes that hold the job (its plugin runs there, or they registered it); see {@link SchedulerState.processes}. */
  readonly heldBy: readonly string[];
  /** True when its owner registered it with `removable: true`. */
  readonly removable: boolean;
}

/** A job with its policy, arguments and bookkeeping (`get`). */
export interface OperatorJobDetail extends OperatorJob {
  /** The run policy (times in ms). */
  readonly policy: SchedulePolicy;
  readonly args: readonly unknown[];
  /** Occurrences recorded so far. */
  readonly runs: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A job's state, for {@link JobListQuery.state}: `running` (a run in progress), `paused`, `scheduled` (has a next run), `done` (trigger exhausted). */
export type JobState = 'scheduled' | 'paused' | 'running' | 'done';

/** What {@link SchedulerOperatorView.listJobs} returns. */
export interface JobListQuery {
  /** Only this owner's jobs. */
  readonly owner?: string;
  readonly state?: JobState;
  readonly paused?: boolean;
  /** Only jobs whose last run failed or timed out (`true`), or whose last run did not (`false`). */
  readonly failing?: boolean;
  /** Only ids containing this text (case-sensitive; a prefix is a substring too). */
  readonly q?: string;
  /** Items per page, 1 to 500. @defaultValue `50` */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

/** A page of jobs, in id order. */
export interface JobPage {
  readonly items: readonly OperatorJob[];
  /** Pass as `cursor` for the next page; `null` when this was the last. A page may be short and still have a next one. */
  readonly nextCursor: string | null;
}

/** A page of a job's runs, newest first. */
export interface RunPage {
  readonly items: readonly OperatorRun[];
  readonly nextCursor: string | null;
}

/** What {@link SchedulerOperatorView.nextRuns} returns. */
export interface NextRuns {
  /** Occurrence times (ISO 8601), earliest first; fewer than asked when the trigger ends sooner. */
  readonly items: readonly string[];
  /** True when the job is paused: the times are those it would have if resumed now. */
  readonly paused: boolean;
}

/** One run as {@link SchedulerOperatorView.runs} returns it: a run-log record as JSON. */
export interface LoggedRun {
  /** The run log's id of the record; `null` when read from the bounded history. */
  readonly runId: string | null;
  readonly jobId: string;
  /** The job's owner: a plugin name, `config` or `app`. */
  readonly owner: string;
  readonly outcome: RunLogOutcome;
  /** The occurrence, or when a manual run was asked for; for `missed`, when it was decided. */
  readonly scheduledAt: string;
  readonly startedAt: string | null;
  /** When the run ended, or the skip/miss was decided. */
  readonly finishedAt: string;
  readonly durationMs: number | null;
  readonly attempts: number;
  /** Occurrences this entry stands for (a `missed` decision may cover several). */
  readonly occurrences: number;
  readonly error: string | null;
  /** The error's stack (run log only). */
  readonly errorStack: string | null;
  readonly manual: boolean;
  readonly requestedBy: string | null;
  /** The scheduler process that ran or decided it. */
  readonly process: string | null;
  /** What the handler returned, when small plain JSON (run log only). */
  readonly result: JsonValue | null;
  readonly resultOmitted: RunLogResultOmitted | null;
}

/** A page of {@link SchedulerOperatorView.runs}. */
export interface LoggedRunPage {
  /** `runLog` (the configured durable log) or `history` (one job's bounded history: no run log configured). */
  readonly source: 'runLog' | 'history';
  /** Newest first. */
  readonly items: readonly LoggedRun[];
  /** Pass as `cursor` for the next page; `null` when this was the last. */
  readonly nextCursor: string | null;
}

/** The filter of {@link SchedulerOperatorView.runs}: the run log's own filter. */
export type RunQuery = RunLogFilter;

/** Options of {@link SchedulerOperatorView.runNow}. */
export interface RunNowOptions {
  /** Arguments for this run, replacing the job's `args`. */
  readonly args?: readonly unknown[];
  /** Who asks (recorded on the run as `requestedBy`). */
  readonly requestedBy: string;
  /** Wait up to this many ms for the run to finish (0: answer once it is queued). @defaultValue `0` */
  readonly waitMs?: number;
  /** Stops waiting (not the run) when aborted. */
  readonly signal?: AbortSignal;
}

/** A run request as the operator view reports it. */
export interface RunRequestView {
  readonly requestId: string;
  readonly jobId: string;
  /** `pending` (no process took it yet), `running`, `finished` (see `record`) or `expired` (nobody took it in time). */
  readonly status: 'pending' | 'running' | 'finished' | 'expired';
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly expiresAt: string;
  /** The process that took it. */
  readonly takenBy?: string;
  /** The run, once finished. */
  readonly record?: OperatorRun;
}

/** A live process sharing the store. */
export interface OperatorProcess {
  readonly owner: string;
  readonly host: string;
  readonly pid: number;
  readonly since: string;
  /** Plugins it holds jobs of. */
  readonly plugins: readonly string[];
  /** True for the process answering. */
  readonly self: boolean;
}

/** What {@link SchedulerOperatorView.state} reports. */
export interface SchedulerState {
  /** `memory` or `redis`. */
  readonly backend: string;
  /** This process's owner id. */
  readonly owner: string;
  /** `null` while the store works; otherwise why and since when it does not. */
  readonly degraded: { readonly reason: string; readonly since: string } | null;
  /** True once the scheduler fires (every plugin started, `enabled` not false, not stopping). */
  readonly firing: boolean;
  /** Live processes sharing the store (this one included once it fires); `null` when the store could not say. */
  readonly processes: number | null;
  readonly processList: readonly OperatorProcess[];
  readonly counts: {
    readonly jobs: number;
    readonly paused: number;
    /** Jobs whose last run failed or timed out. */
    readonly failing: number;
    /** Runs in progress (see `runningScope`). */
    readonly running: number;
  };
  /** When `counts` were counted (they are reused for 2 s: counting 100k jobs on Redis takes about 20 store calls). */
  readonly countedAt: string;
  readonly runningScope: RunningScope;
}

/** Which events {@link SchedulerOperatorView.subscribe} delivers. */
export interface OperatorEventFilter {
  /** Only this job's events (scheduler-wide events are always delivered). */
  readonly jobId?: string;
  /** Only this owner's jobs' events (scheduler-wide events are always delivered). */
  readonly owner?: string;
  /** Only these event types (e.g. `['job.paused', 'job.failed']`); default every type. Fewer types cost the run path less. */
  readonly types?: readonly string[];
}

/** A scheduler event as JSON: `job.*` (added, removed, modified, paused, resumed, started, succeeded, failed, timed_out, aborted, missed, skipped) or `scheduler.*` (degraded, recovered). */
export interface OperatorEvent {
  readonly type: string;
  /** When it was emitted (ISO 8601). */
  readonly time: string;
  readonly jobId?: string;
  readonly owner?: string;
  /** The event's other fields as JSON (a run's record, an error's message). */
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * The operator view of the scheduler: every job of every owner, not plugin-scoped.
 *
 * @remarks
 * Get it with `schedulerOperatorView(ctx.getService('scheduler'))` from a service's `create`, or
 * `scheduler.operator` on a {@link Scheduler} you built. Plugins keep their own scoped views.
 * Errors are coded: `XCORE_ERR_JOB_NOT_FOUND`, `XCORE_ERR_JOB_QUERY_INVALID`,
 * `XCORE_ERR_JOB_REMOVE_REFUSED`, `XCORE_ERR_JOB_RUN_REFUSED`, `XCORE_ERR_RUN_REQUEST_NOT_FOUND`,
 * the trigger errors of `reschedule`, and the store's errors while it fails.
 */
export interface SchedulerOperatorView {
  /** Backend, health, processes and job counts. */
  state(): Promise<SchedulerState>;
  /** Jobs in id order, filtered, a page at a time (keyset paging: stable while jobs come and go). */
  listJobs(query?: JobListQuery): Promise<JobPage>;
  /** One job with its policy and args. @throws `XCORE_ERR_JOB_NOT_FOUND` */
  getJob(id: string): Promise<OperatorJobDetail>;
  /**
   * The job's next `count` occurrence times (1 to 100, default 5) from its trigger: the stored next
   * fire time, then the trigger's following times (honouring `endDate`, `maxRuns`; no jitter).
   * For a paused job, the times it would have if resumed now.
   *
   * @throws `XCORE_ERR_JOB_NOT_FOUND`, `XCORE_ERR_JOB_QUERY_INVALID` for a bad count
   */
  nextRuns(id: string, count?: number): Promise<NextRuns>;
  /** A job's finished runs, newest first, a page at a time. @throws `XCORE_ERR_JOB_NOT_FOUND` */
  history(id: string, query?: { readonly limit?: number; readonly cursor?: string }): Promise<RunPage>;
  /**
   * Finished runs, skips and misses of every job, filtered (job, owner, outcome, manual, time
   * range) and paged newest first: from the run log when `services.scheduler.runLog` is set,
   * else from one job's bounded history (`jobId` is then required).
   *
   * @throws `XCORE_ERR_RUNLOG_QUERY_INVALID` for a bad filter; without a run log,
   * `XCORE_ERR_JOB_QUERY_INVALID` when `jobId` is missing and `XCORE_ERR_JOB_NOT_FOUND` for an unknown job.
   */
  runs(query?: RunQuery): Promise<LoggedRunPage>;
  /**
   * Asks for a run of the job now, outside its schedule; exactly one process with its handler
   * runs it (this one or another sharing the store). Resolves once it is queued, or when
   * `waitMs` is given, once it finished or the wait ran out (status `pending`/`running` then).
   *
   * @throws `XCORE_ERR_JOB_NOT_FOUND`; `XCORE_ERR_JOB_RUN_REFUSED` when no live process holds the job.
   */
  runNow(id: string, options: RunNowOptions): Promise<RunRequestView>;
  /** A run request's state. @throws `XCORE_ERR_RUN_REQUEST_NOT_FOUND` */
  runRequest(requestId: string, options?: { readonly waitMs?: number; readonly signal?: AbortSignal }): Promise<RunRequestView>;
  /** Pauses a job everywhere. @throws `XCORE_ERR_JOB_NOT_FOUND` */
  pause(id: string): Promise<OperatorJobDetail>;
  /** Resumes a job from now on. @throws `XCORE_ERR_JOB_NOT_FOUND` */
  resume(id: string): Promise<OperatorJobDetail>;
  /** Replaces a job's trigger (validated like `addJob`'s). @throws `XCORE_ERR_JOB_NOT_FOUND`, trigger errors */
  reschedule(id: string, trigger: TriggerInput): Promise<OperatorJobDetail>;
  /**
   * Removes a job and its history, where its owner allows it: registered with `removable: true`,
   * or held by no live process (its plugin runs nowhere, no running host declares it).
   *
   * @throws `XCORE_ERR_JOB_NOT_FOUND`; `XCORE_ERR_JOB_REMOVE_REFUSED` naming who holds it and what to do.
   */
  remove(id: string): Promise<void>;
  /** Delivers this process's scheduler events as JSON until the returned function is called. */
  subscribe(listener: (event: OperatorEvent) => void, filter?: OperatorEventFilter): () => void;
}
