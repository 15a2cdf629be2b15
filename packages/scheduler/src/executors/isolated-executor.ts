/**
 * What the `thread` and `process` executors share: the attempts of a run (hard deadline, retries
 * with backoff, abort), with each attempt running somewhere the host can kill.
 *
 * @remarks
 * A subclass starts one attempt ({@link IsolatedExecutor.begin}) and returns a handle to kill it
 * or abort its signal. The deadline is the host's own timer: when it passes, the run is settled as
 * `timed_out` at once and the attempt is killed (a worker terminated, a child SIGKILLed); the
 * kill is not waited for, so the record is written within a few ms of the deadline whatever the
 * job does.
 */
import type { Logger } from 'pino';
import { isXcoreError, setLongTimeout, type LongTimeout } from '@xcore/core';
import type { ScheduleDefinition, SchedulePolicy } from '../stores/store.js';
import { JobAbortedError, JobCrashedError, JobExecutorInvalidError, JobTimeoutError } from '../errors.js';
import { attemptLabel, errorMessage } from './error-message.js';
import type { ActiveExecution, ExecutionInfo, ExecutionOutcome, ExecutionStatus, Executor, JobHandler, ModuleTarget } from './executor.js';

/** How one attempt ended. */
export interface AttemptResult {
  readonly status: ExecutionStatus;
  readonly error?: unknown;
  readonly result?: unknown;
}

/** One attempt, as the worker or child gets it. */
export interface AttemptTask {
  readonly jobId: string;
  readonly scheduledAt: number;
  readonly attempt: number;
  readonly args: readonly unknown[];
  readonly target: ModuleTarget;
}

/** A log line a job sent from its worker or child. */
export interface RemoteLogLine {
  readonly level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  readonly obj?: Record<string, unknown>;
  readonly msg?: string;
}

/** A running attempt. */
export interface AttemptHandle {
  /** Settles once the attempt ended on its own (result, failure, crash); never rejects. */
  readonly done: Promise<AttemptResult>;
  /** Ends the attempt now (terminate the worker, SIGKILL the child). */
  kill(): void;
  /** Aborts the job's signal inside the worker or child (it may still finish). */
  signal(reason: Error): void;
}

/** Dependencies of an {@link IsolatedExecutor}. */
export interface IsolatedExecutorOptions {
  /** Parent of each run's `{ job, attempt }` logger, which the job's own log lines go to. */
  readonly logger: Logger;
  /** Delay before retry `attempt` (1-based count of failed attempts) with base `baseMs`. */
  readonly backoff: (attempt: number, baseMs: number) => number;
  /** Called when an attempt starts (for `job.started`). */
  readonly onAttempt?: (request: ExecutionInfo, attempt: number) => void;
}

/** The thrown value a worker or child sent back, as an Error again. */
export function reviveError(data: unknown): Error {
  const e = (data ?? {}) as { name?: unknown; message?: unknown; stack?: unknown; code?: unknown };
  const error = new Error(typeof e.message === 'string' ? e.message : String(data));
  if (typeof e.name === 'string') error.name = e.name;
  if (typeof e.stack === 'string') error.stack = e.stack;
  if (typeof e.code === 'string') Object.assign(error, { code: e.code });
  return error;
}

/** An attempt its executor could not start, as a `failed` result: a coded error as it is, anything else wrapped. */
function startFailure(error: unknown, jobId: string, attempt: number, executor: string): AttemptResult {
  if (isXcoreError(error)) return { status: 'failed', error };
  return { status: 'failed', error: new JobCrashedError(`${attemptLabel(jobId, attempt)}: executor "${executor}" could not start it (${errorMessage(error)}).`, { cause: error }) };
}

/** One run in progress on an isolated executor. */
class IsolatedRun implements ActiveExecution, ExecutionInfo {
  attempts = 0;
  private current: AttemptHandle | undefined;
  private settle: ((result: AttemptResult) => void) | undefined;
  private abortReason: Error | undefined;

  constructor(
    readonly jobId: string,
    readonly owner: string,
    readonly scheduledAt: number,
    readonly args: readonly unknown[],
    readonly policy: SchedulePolicy,
    readonly target: ModuleTarget,
  ) {}

  get request(): ExecutionInfo {
    return this;
  }

  get aborted(): Error | undefined {
    return this.abortReason;
  }

  abort(reason: Error): void {
    if (this.abortReason !== undefined) return;
    this.abortReason = reason;
    this.current?.signal(reason);
    this.current?.kill();
    this.settle?.({ status: 'aborted', error: reason });
  }

  signal(reason: Error): void {
    this.current?.signal(reason);
  }

  /** Runs one attempt to its end, its deadline or an abort. */
  attempt(begin: (task: AttemptTask) => AttemptHandle): Promise<AttemptResult> {
    this.attempts += 1;
    const attempt = this.attempts;
    return new Promise<AttemptResult>((resolve) => {
      let timer: LongTimeout | undefined;
      let settled = false;
      let handle: AttemptHandle | undefined;
      const finish = (result: AttemptResult): void => {
        if (settled) return;
        settled = true;
        timer?.clear();
        if (this.current === handle) this.current = undefined;
        this.settle = undefined;
        resolve(result);
      };
      this.settle = finish;
      const { timeoutMs } = this.policy;
      // The deadline counts from here: starting the worker or child (a fork takes a while) is part of it.
      if (timeoutMs !== null) {
        timer = setLongTimeout(() => {
          finish({ status: 'timed_out', error: new JobTimeoutError(`${attemptLabel(this.jobId, attempt)} timed out after ${timeoutMs} ms on executor "${this.target.executor}"; its ${this.target.executor === 'thread' ? 'worker thread was terminated' : 'child process was killed'}. Raise its timeout or make it faster.`) });
          // Kill after the run is recorded: starting the replacement worker takes a while, and the
          // record (built in the microtasks queued by finish) must carry the deadline, not that.
          setImmediate(() => handle?.kill());
        }, timeoutMs);
      }
      // An attempt that cannot start (a begin() that throws, a done that rejects) still ends the run.
      const notStarted = (error: unknown): void => finish(startFailure(error, this.jobId, attempt, this.target.executor));
      try {
        handle = begin({ jobId: this.jobId, scheduledAt: this.scheduledAt, attempt, args: this.args, target: this.target });
      } catch (error) {
        notStarted(error);
        return;
      }
      this.current = handle;
      if (settled) setImmediate(() => handle?.kill());
      handle.done.then(finish, notStarted);
    });
  }

  /** Waits `ms` before a retry; resolves early with the abort if the run is aborted meanwhile. */
  sleep(ms: number): Promise<AttemptResult | undefined> {
    return new Promise((resolve) => {
      const timer = setLongTimeout(() => {
        this.settle = undefined;
        resolve(undefined);
      }, ms);
      this.settle = (result) => {
        this.settle = undefined;
        timer.clear();
        resolve(result);
      };
    });
  }
}

/**
 * The attempt loop of an executor whose attempts run off the event loop.
 *
 * @example
 * ```ts
 * class MyExecutor extends IsolatedExecutor {
 *   protected begin(task: AttemptTask, log: (line: RemoteLogLine) => void): AttemptHandle { ... }
 *   close() { ... }
 * }
 * ```
 */
export abstract class IsolatedExecutor implements Executor {
  private readonly active = new Set<IsolatedRun>();

  constructor(protected readonly options: IsolatedExecutorOptions) {}

  /** Executions in progress. */
  get running(): ReadonlySet<ActiveExecution> {
    return this.active;
  }

  /** Starts one attempt; `log` takes the job's log lines. */
  protected abstract begin(task: AttemptTask, log: (line: RemoteLogLine) => void): AttemptHandle;

  /** Releases the pool or children; nothing outlives the host. */
  abstract close(): Promise<void>;

  /** {@link Executor.start}: always asynchronous. Never rejects. */
  start(definition: ScheduleDefinition, handler: JobHandler, scheduledAt: number): Promise<ExecutionOutcome> {
    const startedAt = Date.now();
    if (handler.target === undefined) {
      const error = new JobExecutorInvalidError(`Job "${definition.id}" has no module to run off the event loop; add it with module and export.`);
      return Promise.resolve({ status: 'failed', attempts: 0, startedAt, finishedAt: startedAt, error });
    }
    return this.execute(new IsolatedRun(definition.id, definition.owner, scheduledAt, definition.args, definition.policy, handler.target), startedAt);
  }

  private async execute(run: IsolatedRun, startedAt: number): Promise<ExecutionOutcome> {
    this.active.add(run);
    const begin = (task: AttemptTask): AttemptHandle => {
      let logger: Logger | undefined;
      return this.begin(task, (line) => {
        logger ??= this.options.logger.child({ job: task.jobId, attempt: task.attempt, executor: task.target.executor });
        const log = logger[line.level];
        if (typeof log !== 'function') return;
        if (line.obj === undefined) log.call(logger, line.msg ?? '');
        else log.call(logger, line.obj, line.msg);
      });
    };
    try {
      for (;;) {
        if (run.aborted !== undefined) return this.outcome({ status: 'aborted', error: run.aborted }, run, startedAt);
        this.options.onAttempt?.(run, run.attempts + 1);
        const result = await run.attempt(begin);
        const retry = result.status !== 'succeeded' && result.status !== 'aborted' && run.attempts <= run.policy.retries;
        if (!retry) return this.outcome(result, run, startedAt);
        const waited = await run.sleep(this.options.backoff(run.attempts, run.policy.retryDelayMs));
        if (waited !== undefined) return this.outcome(waited, run, startedAt);
      }
    } finally {
      this.active.delete(run);
    }
  }

  /** Aborts every execution in progress (`filter` narrows it): the attempt is killed, the run ends `aborted`. */
  abortAll(reason: Error, filter?: (request: ExecutionInfo) => boolean): number {
    let n = 0;
    for (const run of this.active) {
      if (filter === undefined || filter(run)) {
        run.abort(reason);
        n += 1;
      }
    }
    return n;
  }

  /** Aborts the signal of every run in progress (the drain began); they are killed at the deadline. */
  signalAll(reason: Error): void {
    for (const run of this.active) run.signal(reason);
  }

  private outcome(result: AttemptResult, run: IsolatedRun, startedAt: number): ExecutionOutcome {
    const base = { status: result.status, attempts: run.attempts, startedAt, finishedAt: Date.now() };
    if (result.error !== undefined) return { ...base, error: result.error };
    return result.result === undefined ? base : { ...base, result: result.result };
  }
}

/** The reason given to a run's signal when the drain begins. */
export function drainReason(deadlineMs: number): JobAbortedError {
  return new JobAbortedError(`The scheduler is shutting down: finish within the drain deadline (${deadlineMs} ms) or the run is killed and recorded as aborted.`);
}
