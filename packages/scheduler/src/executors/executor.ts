/**
 * The executor contract: what runs one job's attempts, wherever they run.
 *
 * @remarks
 * The run path (`runner/run.ts`) owns a run's lifecycle (start, settle, abort, record) and hands
 * the execution to an {@link Executor}: adding a way to run jobs is one file implementing this
 * interface. An executor never throws or rejects: every way a run can end is an
 * {@link ExecutionOutcome}.
 */
import type { ScheduleDefinition, SchedulePolicy } from '../stores/store.js';
import type { JobFunction } from '../service/scheduler-service.js';

/**
 * Final status of an execution: `crashed` (the worker thread or child process ended before the
 * job did) and `out_of_memory` (it passed its memory cap) happen on `thread` and `process` only.
 */
export type ExecutionStatus = 'succeeded' | 'failed' | 'timed_out' | 'aborted' | 'crashed' | 'out_of_memory';

/** Where a job runs: the event loop, a worker-thread pool, or a child process per run. */
export type ExecutorName = 'inline' | 'thread' | 'process';

/** A job run off the event loop, addressed by module and export (functions do not cross threads). */
export interface ModuleTarget {
  readonly executor: 'thread' | 'process';
  /** The module as a `file:` URL (resolved when the job was added). */
  readonly module: string;
  /** The export called with the run's context. */
  readonly export: string;
  /** Environment variables the job declares: a `process` child gets these and no others. */
  readonly env: readonly string[];
}

/** What one execution (all its attempts) produced. */
export interface ExecutionOutcome {
  readonly status: ExecutionStatus;
  readonly attempts: number;
  readonly startedAt: number;
  readonly finishedAt: number;
  /** The last attempt's error, when not succeeded. */
  readonly error?: unknown;
  /** What the job returned (or its promise resolved to), when it succeeded with a value. */
  readonly result?: unknown;
}

/** Which run an execution is (to list and select runs in progress). */
export interface ExecutionInfo {
  readonly jobId: string;
  /** The job's owner: a plugin name, `config` or `app`. */
  readonly owner: string;
  /** Occurrence time, epoch ms. */
  readonly scheduledAt: number;
}

/** One run to execute inline. */
export interface ExecutionRequest extends ExecutionInfo {
  readonly fn: JobFunction;
  readonly args: readonly unknown[];
  readonly policy: SchedulePolicy;
  /** Occurrence time, epoch ms. */
  readonly scheduledAt: number;
}

/** A handle on an execution in progress, to abort it. */
export interface ActiveExecution {
  readonly request: ExecutionInfo;
  /** Aborts the current attempt (its signal gets `reason`) and ends the execution as `aborted`. */
  abort(reason: Error): void;
}

/** What this process registered to run a job: the handler an executor calls. */
export interface JobHandler {
  /** The function an inline run calls. */
  readonly fn: JobFunction;
  /** Set for a `thread` or `process` job: the module export its runs call. */
  readonly target?: ModuleTarget | undefined;
}

/**
 * Runs the attempts of one run (timeouts, retries, abort) and reports how it ended.
 *
 * @example
 * ```ts
 * const outcome = executor.start(definition, { fn }, scheduledAt);
 * const done = outcome instanceof Promise ? await outcome : outcome;
 * ```
 */
export interface Executor {
  /** Executions in progress, to list and abort them. */
  readonly running: ReadonlySet<ActiveExecution>;
  /**
   * Runs every attempt of one run of `definition` with `handler`. Never throws or rejects.
   *
   * @remarks
   * May return the outcome synchronously (the inline executor does when the job settled
   * synchronously with no retry to wait for: the hot path then allocates no promise). A
   * synchronous outcome may be an object the executor reuses for its next run: read it before
   * starting another run, and copy what must be kept.
   */
  start(definition: ScheduleDefinition, handler: JobHandler, scheduledAt: number): ExecutionOutcome | Promise<ExecutionOutcome>;
  /** Aborts the executions in progress that `filter` selects (all without one); returns how many. */
  abortAll(reason: Error, filter?: (request: ExecutionInfo) => boolean): number;
  /**
   * The drain began: runs in progress get their signal now and are aborted at the drain deadline
   * ({@link Executor.abortAll}). The inline executor does nothing here (its runs get their signal
   * at the deadline).
   */
  signalAll(reason: Error): void;
  /** Releases what the executor holds (pools, children): nothing of it outlives the host. */
  close(): Promise<void>;
}
