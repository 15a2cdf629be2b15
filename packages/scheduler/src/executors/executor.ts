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

/** Final status of an execution. */
export type ExecutionStatus = 'succeeded' | 'failed' | 'timed_out' | 'aborted';

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

/** One run to execute, as an executor sees it. */
export interface ExecutionRequest {
  readonly jobId: string;
  readonly owner: string;
  readonly fn: JobFunction;
  readonly args: readonly unknown[];
  readonly policy: SchedulePolicy;
  /** Occurrence time, epoch ms. */
  readonly scheduledAt: number;
}

/** A handle on an execution in progress, to abort it. */
export interface ActiveExecution {
  readonly request: ExecutionRequest;
  /** Aborts the current attempt (its signal gets `reason`) and ends the execution as `aborted`. */
  abort(reason: Error): void;
}

/** What this process registered to run a job: the handler an executor calls. */
export interface JobHandler {
  readonly fn: JobFunction;
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
   * synchronously with no retry to wait for: the hot path then allocates no promise).
   */
  start(definition: ScheduleDefinition, handler: JobHandler, scheduledAt: number): ExecutionOutcome | Promise<ExecutionOutcome>;
  /** Aborts the executions in progress that `filter` selects (all without one); returns how many. */
  abortAll(reason: Error, filter?: (request: ExecutionRequest) => boolean): number;
  /** Releases what the executor holds (pools, children) once no execution is in progress. */
  close(): Promise<void>;
}
