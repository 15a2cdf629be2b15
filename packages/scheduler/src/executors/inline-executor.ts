/**
 * Runs job functions on the event loop, with timeouts, retries and cooperative abort.
 *
 * @remarks
 * A job that throws synchronously, rejects or returns a rejected thenable is a failed attempt;
 * it never escapes as an exception or an unhandled rejection, so it never stops its schedule.
 * A timed-out attempt is recorded as soon as the timeout passes even when the job ignores its
 * signal; a later rejection of that abandoned attempt is swallowed. The per-run signal and logger
 * are created only when the job reads them. A timeout or retry delay past 2^31-1 ms (about 24.8
 * days) is waited in full, as a chain of timers ({@link setLongTimeout}).
 */
import type { Logger } from 'pino';
import { setLongTimeout, type LongTimeout } from '@xcore/core';
import type { ScheduleDefinition, SchedulePolicy } from '../stores/store.js';
import type { JobContext, JobFunction } from '../service/scheduler-service.js';
import { JobAbortedError, JobTimeoutError } from '../errors.js';
import type { ActiveExecution, ExecutionInfo, ExecutionOutcome, ExecutionRequest, ExecutionStatus, Executor, JobHandler } from './executor.js';
import { attemptLabel } from './error-message.js';

export type { ExecutionStatus, ExecutionOutcome, ExecutionRequest, ActiveExecution } from './executor.js';

/** Dependencies of {@link InlineExecutor}. */
export interface InlineExecutorOptions {
  /** Parent of each run's `{ job }` child logger. */
  readonly logger: Logger;
  /** Clock for start/finish times. @defaultValue `Date.now` */
  readonly clock?: () => number;
  /** Delay before retry `attempt` (1-based count of failed attempts) with base `baseMs`. */
  readonly backoff: (attempt: number, baseMs: number) => number;
  /** Called when an attempt starts (for `job.started`); `request` is read during the call only (it may be reused). */
  readonly onAttempt?: (request: ExecutionInfo, attempt: number) => void;
}

/**
 * The context of one attempt. The first attempt of a run without a timeout gets one before any
 * {@link Execution} exists (see {@link InlineExecutor.runJob}): most runs end synchronously and
 * never need one; a run that does not is taken over by an execution ({@link Execution.adopt}).
 */
class RunContext implements JobContext {
  private loggerCache: Logger | undefined;
  private dateCache: Date | undefined;
  /** The signal's controller while no execution owns the attempt. */
  private controller: AbortController | undefined;

  constructor(
    readonly jobId: string,
    readonly args: readonly unknown[],
    private readonly at: number,
    private readonly parentLogger: Logger,
    readonly attempt: number,
    /** The execution this attempt belongs to (`undefined` until one takes it over). */
    private execution: Execution | undefined,
  ) {}

  get scheduledAt(): Date {
    this.dateCache ??= new Date(this.at);
    return this.dateCache;
  }

  get signal(): AbortSignal {
    if (this.execution !== undefined) return this.execution.signalFor(this.attempt);
    this.controller ??= new AbortController();
    return this.controller.signal;
  }

  get logger(): Logger {
    this.loggerCache ??= this.parentLogger.child({ job: this.jobId, attempt: this.attempt });
    return this.loggerCache;
  }

  /** Hands the attempt to `execution`; returns the controller of a signal the job already read. */
  handOver(execution: Execution): AbortController | undefined {
    this.execution = execution;
    const controller = this.controller;
    this.controller = undefined;
    return controller;
  }
}

type AttemptResult = { status: ExecutionStatus; error?: unknown; result?: unknown };

/** An {@link ExecutionOutcome} written in place run after run (the run path's synchronous outcome). */
type ReusedOutcome = { -readonly [K in keyof ExecutionOutcome]-?: ExecutionOutcome[K] };

const SUCCEEDED: AttemptResult = Object.freeze({ status: 'succeeded' });

/** A succeeded attempt and the job's return value (the shared {@link SUCCEEDED} when it returned nothing). */
function succeeded(result: unknown): AttemptResult {
  return result === undefined ? SUCCEEDED : { status: 'succeeded', result };
}

/** What {@link thenOf} found: a thenable to await. */
const THENABLE = Symbol('thenable');

/**
 * Whether a job's return value is a thenable: {@link THENABLE}, `undefined` for a plain value, or
 * the error thrown while reading its `then` (a revoked Proxy, a throwing getter), which fails the
 * attempt as a promise resolved with it would reject.
 */
function thenOf(result: unknown): typeof THENABLE | undefined | { readonly error: unknown } {
  if (result === null || (typeof result !== 'object' && typeof result !== 'function')) return undefined;
  try {
    return typeof (result as PromiseLike<unknown>).then === 'function' ? THENABLE : undefined;
  } catch (error) {
    return { error };
  }
}

/** One run in progress; it is its own {@link ExecutionRequest} (no separate object per run). */
class Execution implements ActiveExecution, ExecutionRequest {
  private attemptNo = 0;
  private controller: AbortController | undefined;
  private settle: ((r: AttemptResult) => void) | undefined;
  private backoffTimer: LongTimeout | undefined;
  private abortReason: Error | undefined;

  constructor(
    readonly jobId: string,
    readonly owner: string,
    readonly fn: JobFunction,
    readonly args: readonly unknown[],
    readonly policy: SchedulePolicy,
    readonly scheduledAt: number,
    readonly parentLogger: Logger,
  ) {}

  get request(): ExecutionRequest {
    return this;
  }

  signalFor(attempt: number): AbortSignal {
    if (attempt !== this.attemptNo) return AbortSignal.abort(new JobAbortedError(`${attemptLabel(this.jobId, attempt)} is over.`));
    this.controller ??= new AbortController();
    return this.controller.signal;
  }

  abort(reason: Error): void {
    if (this.abortReason !== undefined) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
    this.settle?.({ status: 'aborted', error: reason });
  }

  get aborted(): Error | undefined {
    return this.abortReason;
  }

  /**
   * Runs one attempt. A synchronous job without a timeout settles synchronously (no promise, no
   * timer): the common case of a quick job costs one call.
   */
  runAttempt(onAttempt: InlineExecutorOptions['onAttempt']): AttemptResult | Promise<AttemptResult> {
    this.attemptNo += 1;
    this.controller = undefined;
    const attempt = this.attemptNo;
    const request: ExecutionRequest = this;
    if (this.abortReason !== undefined) return { status: 'aborted', error: this.abortReason };
    if (request.policy.timeoutMs === null) {
      onAttempt?.(request, attempt);
      let result: unknown;
      try {
        result = request.fn(this.context(attempt));
      } catch (error) {
        return { status: 'failed', error };
      }
      const then = thenOf(result);
      if (then === undefined) return succeeded(result);
      if (then !== THENABLE) return { status: 'failed', error: then.error };
      return this.settled(result as PromiseLike<unknown>);
    }
    return new Promise<AttemptResult>((resolve) => {
      let timer: LongTimeout | undefined;
      let settled = false;
      const finish = (r: AttemptResult): void => {
        if (settled) return;
        settled = true;
        if (this.settle === finish) this.settle = undefined;
        timer?.clear();
        resolve(r);
      };
      this.settle = finish;
      if (this.abortReason !== undefined) return finish({ status: 'aborted', error: this.abortReason });
      const timeoutMs = request.policy.timeoutMs;
      if (timeoutMs !== null) {
        timer = setLongTimeout(() => {
          const error = new JobTimeoutError(`${attemptLabel(request.jobId, attempt)} timed out after ${timeoutMs} ms; raise its timeout or honour ctx.signal.`);
          this.controller?.abort(error);
          finish({ status: 'timed_out', error });
        }, timeoutMs);
      }
      onAttempt?.(request, attempt);
      let result: unknown;
      try {
        result = request.fn(this.context(attempt));
      } catch (error) {
        return finish({ status: 'failed', error });
      }
      const then = thenOf(result);
      if (then === THENABLE) {
        Promise.resolve(result as PromiseLike<unknown>).then(
          (value: unknown) => finish(succeeded(value)),
          (error: unknown) => finish({ status: 'failed', error }),
        );
      } else {
        finish(then === undefined ? succeeded(result) : { status: 'failed', error: then.error });
      }
    });
  }

  /** The context of attempt `attempt` of this execution. */
  private context(attempt: number): RunContext {
    return new RunContext(this.jobId, this.args, this.scheduledAt, this.parentLogger, attempt, this);
  }

  /**
   * Takes over a run whose first attempt ran without an execution (see
   * {@link InlineExecutor.runJob}): attempt 1 is this execution's, with the signal its job read.
   */
  adopt(first: RunContext): void {
    this.attemptNo = 1;
    this.controller = first.handOver(this);
  }

  /** The result of the current attempt, once the thenable its job returned settles (or the run is aborted). */
  settled(result: PromiseLike<unknown>): Promise<AttemptResult> {
    return new Promise<AttemptResult>((resolve) => {
      let settled = false;
      const finish = (r: AttemptResult): void => {
        if (settled) return;
        settled = true;
        if (this.settle === finish) this.settle = undefined;
        resolve(r);
      };
      this.settle = finish;
      Promise.resolve(result).then(
        (value: unknown) => finish(succeeded(value)),
        (error: unknown) => finish({ status: 'failed', error }),
      );
    });
  }

  sleep(ms: number): Promise<AttemptResult | undefined> {
    return new Promise((resolve) => {
      this.settle = (r) => {
        this.settle = undefined;
        this.backoffTimer?.clear();
        resolve(r);
      };
      this.backoffTimer = setLongTimeout(() => {
        this.settle = undefined;
        resolve(undefined);
      }, ms);
    });
  }

  get attempts(): number {
    return this.attemptNo;
  }
}

/**
 * Executes job functions inline (on the event loop).
 *
 * @example
 * ```ts
 * const executor = new InlineExecutor({ logger, backoff: (n, base) => base * 2 ** (n - 1) });
 * const outcome = await executor.execute({ jobId: 'a', owner: 'app', fn, args: [], policy, scheduledAt: Date.now() });
 * ```
 */
export class InlineExecutor implements Executor {
  private readonly clock: () => number;
  private readonly active = new Set<Execution>();
  /** The outcome {@link InlineExecutor.start} returns synchronously, overwritten by the next one. */
  private readonly reused: ReusedOutcome = { status: 'succeeded', attempts: 0, startedAt: 0, finishedAt: 0, error: undefined, result: undefined };
  /** Depth of {@link InlineExecutor.chained} calls in progress. */
  private chainDepth = 0;
  /** While chained: when the last run that ended synchronously ended, the next run's start; `NaN` to read the clock. */
  private chainedAt = NaN;
  /**
   * The context of the first run that ended synchronously, kept for the life of the executor so the hidden class of
   * {@link RunContext} stays alive between bursts.
   *
   * @remarks
   * Between two bursts no context is alive; a full collection then (V8's memory reducer runs two,
   * eight seconds after any other) frees the class's map, and the optimised fire path that embeds
   * it (`runJob`, the context's constructor and `scheduledAt`, the job's own function inlined) is
   * deoptimised ("weak objects") and compiled again by the next burst. At 1k jobs a second,
   * compiling is 40-50 % of the process's CPU in the benchmark's window (see bench/README.md).
   */
  private mapHolder: RunContext | undefined;
  /** What `onAttempt` is told of a first attempt that runs without an execution (read during the call only). */
  private readonly attemptInfo: { -readonly [K in keyof ExecutionInfo]: ExecutionInfo[K] } = { jobId: '', owner: '', scheduledAt: 0 };

  constructor(private readonly options: InlineExecutorOptions) {
    this.clock = options.clock ?? Date.now;
  }

  /** Executions in progress. */
  get running(): ReadonlySet<ActiveExecution> {
    return this.active;
  }

  /** Runs every attempt of `request`; never rejects. */
  execute(request: ExecutionRequest): Promise<ExecutionOutcome> {
    return Promise.resolve(this.run(request));
  }

  /**
   * Runs every attempt of `request`; the outcome is returned synchronously when the job settled
   * synchronously with no retry to wait for (no promise allocated). Never throws or rejects.
   */
  run(request: ExecutionRequest): ExecutionOutcome | Promise<ExecutionOutcome> {
    const { jobId, owner, fn, args, policy, scheduledAt } = request;
    return this.runJob(jobId, owner, fn, args, policy, scheduledAt);
  }

  /**
   * {@link Executor.start}: the run path calls this once per fire and allocates no request object;
   * a synchronous outcome is this executor's one reused outcome object (see {@link Executor.start}).
   */
  start(definition: ScheduleDefinition, handler: JobHandler, scheduledAt: number): ExecutionOutcome | Promise<ExecutionOutcome> {
    return this.runJob(definition.id, definition.owner, handler.fn, definition.args, definition.policy, scheduledAt, this.reused);
  }

  /**
   * Runs `runs` (one dispatched batch: runs started back to back, synchronously) reading the
   * clock once per run instead of twice: a run that starts right after another one ended
   * synchronously starts at that one's end time. The clock costs 60-200 ns a read on the
   * benchmark machine, as much as the rest of a bare loop's fire. Whoever runs other work between
   * two runs (a listener, a log line) calls {@link InlineExecutor.unchain} first, so that work is
   * not counted in the next run's lateness or duration.
   */
  chained(runs: () => void): void {
    this.chainDepth++;
    try {
      runs();
    } finally {
      if (--this.chainDepth === 0) this.chainedAt = NaN;
    }
  }

  /** The next run reads the clock for its start (see {@link InlineExecutor.chained}). */
  unchain(): void {
    this.chainedAt = NaN;
  }

  /** Nothing to do: inline runs get their signal when they are aborted at the drain deadline. */
  signalAll(): void {}

  /** Nothing to release: inline runs hold no pool or child process. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * {@link InlineExecutor.run} with the request's fields as arguments.
   *
   * @remarks
   * A run without a timeout starts its first attempt with no {@link Execution}: one context
   * object, the job's call, and the outcome written into `into`. Only a run that does not end
   * there (its job returned a thenable, or failed with retries left) gets an execution, which
   * takes the first attempt over (its signal too).
   */
  runJob(jobId: string, owner: string, fn: JobFunction, args: readonly unknown[], policy: SchedulePolicy, scheduledAt: number, into?: ReusedOutcome): ExecutionOutcome | Promise<ExecutionOutcome> {
    const chainedAt = this.chainedAt;
    // Whatever happens in this run, the next one reads the clock unless this one ends synchronously.
    this.chainedAt = NaN;
    const startedAt = Number.isNaN(chainedAt) ? this.clock() : chainedAt;
    if (policy.timeoutMs !== null) {
      const run = new Execution(jobId, owner, fn, args, policy, scheduledAt, this.options.logger);
      return this.continue(run, run.runAttempt(this.options.onAttempt), startedAt);
    }
    const { onAttempt } = this.options;
    if (onAttempt !== undefined) {
      const info = this.attemptInfo;
      info.jobId = jobId;
      info.owner = owner;
      info.scheduledAt = scheduledAt;
      onAttempt(info, 1);
    }
    const context = new RunContext(jobId, args, scheduledAt, this.options.logger, 1, undefined);
    let result: unknown;
    let first: AttemptResult | undefined;
    try {
      result = fn(context);
    } catch (error) {
      first = { status: 'failed', error };
    }
    if (first === undefined) {
      const then = thenOf(result);
      if (then === THENABLE) {
        const run = new Execution(jobId, owner, fn, args, policy, scheduledAt, this.options.logger);
        run.adopt(context);
        return this.continue(run, run.settled(result as PromiseLike<unknown>), startedAt);
      }
      first = then === undefined ? succeeded(result) : { status: 'failed', error: then.error };
    }
    if (first.status !== 'succeeded' && policy.retries > 0) {
      const run = new Execution(jobId, owner, fn, args, policy, scheduledAt, this.options.logger);
      run.adopt(context);
      return this.continue(run, first, startedAt);
    }
    // Ended synchronously: no execution took this context over, so holding it holds nothing else.
    this.mapHolder ??= context;
    const finishedAt = this.clock();
    if (this.chainDepth > 0) this.chainedAt = finishedAt;
    if (into === undefined) return outcomeOf(first, 1, startedAt, finishedAt);
    into.status = first.status;
    into.attempts = 1;
    into.startedAt = startedAt;
    into.finishedAt = finishedAt;
    into.error = first.error;
    into.result = first.result;
    return into;
  }

  private async continue(run: Execution, first: AttemptResult | Promise<AttemptResult>, startedAt: number): Promise<ExecutionOutcome> {
    this.active.add(run);
    try {
      let result = first instanceof Promise ? await first : first;
      for (;;) {
        const done = result.status === 'succeeded' || result.status === 'aborted' || run.attempts > run.request.policy.retries;
        if (done) return this.outcome(result, run, startedAt);
        const waited = await run.sleep(this.options.backoff(run.attempts, run.request.policy.retryDelayMs));
        if (waited !== undefined) return this.outcome(waited, run, startedAt);
        const next = run.runAttempt(this.options.onAttempt);
        result = next instanceof Promise ? await next : next;
      }
    } finally {
      this.active.delete(run);
    }
  }

  /** Aborts every execution in progress (`filter` narrows it, e.g. to one plugin's jobs). */
  abortAll(reason: Error, filter?: (request: ExecutionInfo) => boolean): number {
    let n = 0;
    for (const run of this.active) {
      if (filter === undefined || filter(run.request)) {
        run.abort(reason);
        n += 1;
      }
    }
    return n;
  }

  private outcome(result: AttemptResult, run: Execution, startedAt: number): ExecutionOutcome {
    return outcomeOf(result, run.attempts, startedAt, this.clock());
  }
}

/** The outcome of a run that ended with `result` after `attempts` attempts. */
function outcomeOf(result: AttemptResult, attempts: number, startedAt: number, finishedAt: number): ExecutionOutcome {
  const base = { status: result.status, attempts, startedAt, finishedAt };
  if (result.error !== undefined) return { ...base, error: result.error };
  return result.result === undefined ? base : { ...base, result: result.result };
}
