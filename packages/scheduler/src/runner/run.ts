/**
 * One run's lifecycle: start it on its executor, settle it, abort it, record it, publish it.
 *
 * @remarks
 * {@link RunLifecycle} is the one owner of a run from the moment it is admitted (its run lease,
 * if any, is held and counted) until its record is final: it counts the run in flight, hands it to
 * the {@link Executor}, builds the record (also of runs that never started: skipped, dropped,
 * lost with their process), writes it (and releases the run lease) without blocking the run path,
 * emits the run's event and failure hooks, and publishes the finished run to
 * {@link RunLifecycle.onRunFinished} listeners. Admission (jitter, `maxInstances`, overlap queues)
 * is `run-dispatcher.ts`'s part.
 */
import type { Logger } from 'pino';
import type { EventBus } from '@xcore/core';
import type { RunRecord, RunSlot, ScheduleDefinition, Store } from '../stores/store.js';
import type { ActiveExecution, ExecutionInfo, ExecutionOutcome, ExecutionStatus, Executor, JobHandler, ModuleTarget } from '../executors/executor.js';
import type { ExecutorSet } from '../executors/executor-set.js';
import { errorMessage, logError } from '../executors/error-message.js';
import type { SchedulerEmitter, SchedulerEvents } from '../events/scheduler-events.js';
import type { JobFailure, JobFunction } from '../service/scheduler-service.js';
import type { RunLeaseKeeper } from './run-lease-keeper.js';
import { FinishQueue } from './finish-queue.js';
import type { RunObservers } from './run-observer.js';
import { SucceededRunColumns } from './succeeded-runs.js';
import { InFlight } from './in-flight.js';
import type { LearnedRuns } from '../watch/overdue-watch.js';

/** What this process holds per job: its handler, its definition and its runs in progress here. */
export interface LocalJob extends JobHandler, LearnedRuns {
  fn: JobFunction;
  /** Where its runs go (resolved when the job was added: no lookup per run). */
  executor: Executor;
  /** Set for a `thread` or `process` job: the module export its runs call. */
  target: ModuleTarget | undefined;
  owner: string;
  historyLimit: number;
  /** The definition this process registered (put back if the store loses it). */
  definition: ScheduleDefinition;
  /** The schedule's phase anchor as the store had it at registration (a restore keeps the phase). */
  anchor: number;
  /** Runs of this job in progress in this process (counts `maxInstances` with a process-local store). */
  running: number;
  /** `false` once the handler was removed or detached (a stale reference must not run). */
  attached: boolean;
}

/** Who asked for a run outside the schedule (`runJob`, an operator's run-now); `{}` when nobody is named. */
export interface ManualRun {
  readonly requestedBy?: string;
  readonly requestId?: string;
}

/** One occurrence on its way from admission to its record. */
export interface Run {
  readonly definition: ScheduleDefinition;
  /** Occurrence time (epoch ms, store clock); the request time of a manual run. */
  readonly scheduledAt: number;
  /** Set for a run asked for outside the schedule; its record names who asked. */
  readonly manual: ManualRun | undefined;
  /** The handler as claimed; checked again before the run starts (its plugin may have stopped). */
  job: LocalJob | undefined;
  /** The run lease this run holds in a shared store (renewed while it waits and runs), if any. */
  leaseId: string | undefined;
  /** Whether {@link Run.leaseId} already counts against `maxInstances` (else it must be acquired). */
  leaseCounted: boolean;
  /** Called once with the final record (for a manual run, once that record is written). */
  readonly done: ((record: RunRecord) => void) | undefined;
}

/** A finished run, as {@link RunLifecycle.onRunFinished} publishes it. */
export interface RunFinishedEvent {
  /** The record, as written to the job's history (also when its history limit is 0). */
  readonly record: RunRecord;
  /** The job's owner: its plugin's name, `config` or `app` (`record.owner` is the process). */
  readonly jobOwner: string;
  /** The value the last attempt threw, for failed and timed-out runs. */
  readonly error?: unknown;
  /** What the job returned, for a run that succeeded with a value. */
  readonly result?: unknown;
}

/** Dependencies of {@link RunLifecycle}. */
export interface RunLifecycleDeps {
  readonly store: Store;
  readonly logger: Logger;
  /** This process's owner id in run leases and records. */
  readonly owner: string;
  /** `true` with a process-local store: no run leases, records written at once. */
  readonly localLeases: boolean;
  readonly executors: ExecutorSet;
  readonly leases: RunLeaseKeeper;
  readonly emitter: SchedulerEmitter;
  readonly bus: EventBus | undefined;
  readonly failureHooks: ReadonlySet<(failure: JobFailure) => void | Promise<void>>;
  /** The outcome of a store call on the run path (`run`) or of the finish queue (`finish`): an error, or `null`. */
  reportHealth(source: 'run' | 'finish', error: unknown): void;
  /**
   * Told of every finished run first, before the {@link RunLifecycle.onRunFinished} listeners
   * (the scheduler's run observers: metrics, run log; they return at once). Those that take runs
   * in bulk are told of plain runs once per batch instead (see {@link RunLifecycle.startScheduled}).
   */
  readonly observers: RunObservers;
  /** Called after a run of job `jobId` settled (the dispatcher starts a queued occurrence). */
  afterRun(jobId: string): void;
  /** Told the duration of each succeeded run, with its job (the overdue watch learns stuck bounds). */
  learn?(job: LocalJob, ms: number): void;
}

/** A record of a run that never started (skipped, dropped, or refused before it reached the run path). */
export function notStartedRecord(jobId: string, scheduledAt: number, status: 'skipped' | 'aborted', error: string, owner: string, manual: ManualRun | undefined): RunRecord {
  const record: RunRecord = { jobId, scheduledAt, startedAt: null, finishedAt: null, status, attempts: 0, owner, error };
  return manual === undefined ? record : { ...record, ...manualFields(manual) };
}

/** The record fields of a manual run. */
function manualFields(manual: ManualRun): Pick<RunRecord, 'manual' | 'requestedBy' | 'requestId'> {
  return { manual: true, ...(manual.requestedBy === undefined ? {} : { requestedBy: manual.requestedBy }), ...(manual.requestId === undefined ? {} : { requestId: manual.requestId }) };
}

/**
 * Owns runs from admission to record.
 *
 * @example
 * ```ts
 * const lifecycle = new RunLifecycle(deps);
 * const off = lifecycle.onRunFinished(({ record, jobOwner }) => sink.write(record, jobOwner));
 * lifecycle.start(run, job);
 * ```
 */
export class RunLifecycle {
  /** Runs and store writes in flight (the drain waits for them). */
  readonly inflight = new InFlight();
  /** Run-lease releases and run records of a shared store, batched (`undefined` with a process-local store). */
  readonly finished: FinishQueue | undefined;
  private readonly listeners = new Set<(run: RunFinishedEvent) => void>();
  /** Depth of {@link RunLifecycle.batch} calls in progress: records are held for one bulk write meanwhile. */
  private batching = 0;
  /** Records held by the open batch, and their history limits (a process-local store with `recordRunsNow`). */
  private heldRecords: RunRecord[] = [];
  private heldLimits: number[] = [];
  /** Plain runs of the open batch, held as columns (see {@link RunLifecycle.startScheduled}). */
  private readonly succeeded: SucceededRunColumns;
  /** Whether runs can be held as columns: a process-local store that records them so. */
  private readonly columns: boolean;

  constructor(private readonly deps: RunLifecycleDeps) {
    this.finished = deps.localLeases ? undefined : new FinishQueue({
      store: deps.store,
      logger: deps.logger,
      onHealth: (error) => deps.reportHealth('finish', error),
      onSettled: (count) => this.inflight.end(count),
    });
    this.succeeded = new SucceededRunColumns(deps.owner);
    this.columns = this.finished === undefined && deps.store.recordRunsNow !== undefined && deps.store.recordSucceededNow !== undefined;
  }

  /**
   * Subscribes to finished runs: one call per run that reached the run path (succeeded, failed,
   * timed out, aborted, skipped, dropped from a queue, lost with its process), with the record
   * as written to history. Delivered synchronously; a listener that throws is logged and skipped.
   * Returns the unsubscribe function.
   */
  onRunFinished(listener: (run: RunFinishedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /**
   * Runs `dispatch` (which starts many runs: one claimed batch) with the history records of the
   * runs that end meanwhile held and written in one `recordRunsNow` call at the end, instead of
   * one store call per run. Only a process-local store that has `recordRunsNow` batches; records
   * are written before `batch` returns, so nothing reads history in between.
   */
  batch(dispatch: () => void): void {
    if (this.finished !== undefined || this.deps.store.recordRunsNow === undefined) {
      this.deps.executors.chained(dispatch);
      return;
    }
    this.batching++;
    try {
      this.deps.executors.chained(dispatch);
    } finally {
      if (--this.batching === 0) {
        this.writeHeld();
        this.writeSucceeded();
      }
    }
  }

  /**
   * Writes and publishes the plain runs held (see {@link RunLifecycle.startScheduled}): one store
   * call and one call per bulk observer.
   */
  private writeSucceeded(): void {
    const runs = this.succeeded;
    if (runs.count === 0) return;
    try {
      this.deps.store.recordSucceededNow!(runs);
    } catch (error) {
      this.deps.reportHealth('run', error);
    }
    this.deps.observers.succeeded(runs);
    runs.clear();
  }

  /** Writes the records held by the batch that just ended (see {@link RunLifecycle.batch}). */
  private writeHeld(): void {
    const records = this.heldRecords;
    if (records.length === 0) return;
    const limits = this.heldLimits;
    this.heldRecords = [];
    this.heldLimits = [];
    try {
      this.deps.store.recordRunsNow!(records, limits);
    } catch (error) {
      this.deps.reportHealth('run', error);
    }
  }

  /** Runs in progress in this process, to list and abort them. */
  get running(): ReadonlySet<ActiveExecution> {
    return this.deps.executors.running;
  }

  /** Aborts the runs in progress that `filter` selects (all without one): they settle as `aborted`. Returns how many. */
  abortAll(reason: Error, filter?: (request: ExecutionInfo) => boolean): number {
    return this.deps.executors.abortAll(reason, filter);
  }

  /** Work other than a run happens now (a listener, a log line): the next inline run reads the clock. */
  unchain(): void {
    this.deps.executors.unchain();
  }

  /** The drain began: runs on `thread` and `process` get their signal now (inline ones at the deadline). */
  signalAll(reason: Error): void {
    this.deps.executors.signalAll(reason);
  }

  /** Closes every executor after the drain: no worker thread or child process is left. */
  close(): Promise<void> {
    return this.deps.executors.close();
  }

  /** Starts an admitted run of `job` (its run lease, if any, is held and counted). */
  start(run: Run, job: LocalJob): void {
    this.inflight.begin();
    job.running += 1;
    if (run.leaseId !== undefined) this.deps.leases.track(run.definition.id, run.leaseId);
    const outcome = job.executor.start(run.definition, job, run.scheduledAt);
    if (outcome instanceof Promise) void outcome.then((o) => this.settle(run, job, o));
    else this.settle(run, job, outcome);
  }

  /**
   * Starts an admitted scheduled run of `job` that holds no run lease (a process-local store).
   *
   * @remarks
   * The plain path: inside a {@link RunLifecycle.batch}, a run that ends synchronously, succeeded
   * at its first attempt and returned nothing, while nobody listens to its events or to finished
   * runs and every run observer takes runs in bulk (the metrics), has nothing to tell but its
   * record. It is held as a row of columns and written and published with the batch's others
   * when the batch ends ({@link RunLifecycle.writeSucceeded}): no run object, record or event per
   * run. Any other run goes the way of {@link RunLifecycle.start}, its run object made once its
   * outcome needs one. Records reach history in run order: held records of other runs are
   * written before a plain run is held, and plain runs before another record is held.
   */
  startScheduled(definition: ScheduleDefinition, scheduledAt: number, job: LocalJob): void {
    this.inflight.begin();
    job.running += 1;
    const outcome = job.executor.start(definition, job, scheduledAt);
    if (outcome instanceof Promise) {
      const run = scheduledRun(definition, scheduledAt, job);
      void outcome.then((o) => this.settle(run, job, o));
      return;
    }
    if (outcome.status !== 'succeeded' || outcome.attempts !== 1 || outcome.result !== undefined || !this.holdsPlain()) {
      this.settle(scheduledRun(definition, scheduledAt, job), job, outcome);
      return;
    }
    const { startedAt, finishedAt } = outcome;
    job.running -= 1;
    this.deps.learn?.(job, finishedAt - startedAt);
    if (this.heldRecords.length > 0) this.writeHeld();
    this.succeeded.push(definition, scheduledAt, startedAt, finishedAt, job.historyLimit);
    this.inflight.end();
    this.deps.afterRun(definition.id);
  }

  /** Whether a plain run may be held as columns now (see {@link RunLifecycle.startScheduled}). */
  private holdsPlain(): boolean {
    const { emitter, bus } = this.deps;
    return this.batching > 0 && this.columns && this.listeners.size === 0 && this.deps.observers.bulk
      && !emitter.has('job.succeeded') && (bus === undefined || !bus.has('scheduler.job.succeeded'));
  }

  /** Ends a started run: its record, lease release, event, hooks; then the job's queue moves on. */
  private settle(run: Run, job: LocalJob, outcome: ExecutionOutcome): void {
    const { definition } = run;
    // Read once, first: a synchronous outcome is reused by the executor's next run, which a
    // listener called below may start.
    const { status, error, result, startedAt, finishedAt, attempts } = outcome;
    job.running -= 1;
    let lease: { jobId: string; runId: string } | undefined;
    if (run.leaseId !== undefined) {
      this.deps.leases.untrack(definition.id, run.leaseId);
      lease = { jobId: definition.id, runId: run.leaseId };
    }
    const record: { -readonly [K in keyof RunRecord]: RunRecord[K] } = {
      jobId: definition.id, scheduledAt: run.scheduledAt, startedAt, finishedAt, status, attempts, owner: this.deps.owner,
    };
    if (status !== 'succeeded') record.error = errorMessage(error);
    if (run.manual !== undefined) Object.assign(record, manualFields(run.manual));
    if (status === 'succeeded') this.deps.learn?.(job, finishedAt - startedAt);
    this.complete(run, record, job.historyLimit, lease, error, result);
    this.emitOutcome(definition, record, status, error);
    this.inflight.end();
    this.deps.afterRun(definition.id);
  }

  /**
   * Ends a run that will not start: `skipped` (`maxInstances` reached; recorded in history, its
   * uncounted run lease released) or `aborted` (handler detached, queue dropped: not in history,
   * its run lease left to lapse so the run is recovered or recorded lost elsewhere).
   */
  decline(run: Run, status: 'skipped' | 'aborted', reason: string, historyLimit: number): void {
    const { definition } = run;
    this.deps.executors.unchain();
    if (run.leaseId !== undefined) this.deps.leases.untrack(definition.id, run.leaseId);
    const record = notStartedRecord(definition.id, run.scheduledAt, status, reason, this.deps.owner, run.manual);
    if (status === 'aborted') {
      this.publish(record, definition.owner, undefined, undefined);
      run.done?.(record);
      return;
    }
    const lease = run.leaseId === undefined ? undefined : { jobId: definition.id, runId: run.leaseId };
    this.complete(run, record, historyLimit, lease, undefined, undefined);
    const forward = this.deps.bus?.has('scheduler.job.skipped') === true;
    if (forward || this.deps.emitter.has('job.skipped')) {
      const payload = { jobId: definition.id, owner: definition.owner, scheduledAt: new Date(run.scheduledAt), reason: 'max_instances' } as const;
      this.deps.emitter.emit('job.skipped', payload);
      if (forward) this.deps.bus!.emit('scheduler.job.skipped', payload);
    }
  }

  /** Records a run lost with its dead process (its run lease was reaped and `recover` is off). */
  recordLost(lease: RunSlot, jobOwner: string, historyLimit: number): Promise<void> | undefined {
    const record: RunRecord = { jobId: lease.jobId, scheduledAt: lease.scheduledAt, startedAt: null, finishedAt: null, status: 'aborted', attempts: 1, owner: lease.owner, error: 'process died mid-run' };
    this.publish(record, jobOwner, undefined, undefined);
    return this.write(record, historyLimit, undefined);
  }

  /** Writes, publishes and hands back a final record (a manual run's caller gets it once written). */
  private complete(run: Run, record: RunRecord, historyLimit: number, lease: { jobId: string; runId: string } | undefined, error: unknown, result: unknown): void {
    const written = this.write(record, historyLimit, lease);
    this.publish(record, run.definition.owner, error, result);
    const { done } = run;
    if (done === undefined) return;
    if (run.manual !== undefined && written !== undefined) void written.then(() => done(record));
    else done(record);
  }

  private publish(record: RunRecord, jobOwner: string, error: unknown, result: unknown): void {
    const { observers } = this.deps;
    if (this.listeners.size === 0 && observers.empty) return;
    const event: { -readonly [K in keyof RunFinishedEvent]: RunFinishedEvent[K] } = { record, jobOwner };
    if (error !== undefined) event.error = error;
    if (result !== undefined) event.result = result;
    observers.ended(event);
    if (this.listeners.size === 0) return;
    // An app's listener may take its time: the next run reads the clock (see InlineExecutor.chained).
    this.deps.executors.unchain();
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        logError(this.deps.logger, 'error', { job: record.jobId }, err, 'run-finished listener threw');
      }
    }
  }

  /**
   * Writes a run record (and releases the run's lease) without blocking the run path; the drain
   * waits for pending writes. On a shared store both go through the batched, retried finish queue.
   * Returns a promise (that never rejects) only when the write is a direct store call.
   */
  private write(record: RunRecord, historyLimit: number, lease?: { jobId: string; runId: string }): Promise<void> | undefined {
    const { store } = this.deps;
    if (this.finished !== undefined) {
      if (historyLimit <= 0 && lease === undefined) return undefined;
      const entry = historyLimit > 0 ? (lease === undefined ? { record, historyLimit } : { slot: lease, record, historyLimit }) : { slot: lease, historyLimit };
      if (record.manual === true) {
        // runJob resolves once its record is stored: one direct call, not the batch.
        return this.inflight.track(store.finishRuns([entry])).then(undefined, this.writeFailed);
      }
      this.inflight.begin();
      this.finished.push(entry);
      return undefined;
    }
    if (historyLimit <= 0) return undefined;
    if (this.batching > 0) {
      this.writeSucceeded();
      this.heldRecords.push(record);
      this.heldLimits.push(historyLimit);
      return undefined;
    }
    if (store.recordRunNow !== undefined) {
      try {
        store.recordRunNow(record, historyLimit);
      } catch (error) {
        this.deps.reportHealth('run', error);
      }
      return undefined;
    }
    return this.inflight.track(store.recordRun(record, historyLimit)).then(undefined, this.writeFailed);
  }

  private readonly writeFailed = (error: unknown): void => this.deps.reportHealth('run', error);

  /**
   * The run's event, to the scheduler's listeners and (as `scheduler.job.<status>`) to the app's
   * bus; the payload is built only when someone listens (the success path runs 100k times a second).
   */
  private emitOutcome(definition: ScheduleDefinition, record: RunRecord, status: ExecutionStatus, error: unknown): void {
    const { emitter, bus } = this.deps;
    const event = RUN_EVENTS[status];
    const busEvent = BUS_RUN_EVENTS[status];
    const forward = bus !== undefined && bus.has(busEvent);
    if (status === 'succeeded') {
      if (forward || emitter.has(event)) {
        this.deps.executors.unchain();
        const payload = runEvent(definition, record, error);
        emitter.emit(event, payload);
        if (forward) bus.emit(busEvent, payload);
      }
      return;
    }
    this.deps.executors.unchain();
    // A job may throw anything (a revoked Proxy, a cycle without a prototype): logError never throws.
    const durationMs = record.startedAt === null || record.finishedAt === null ? null : record.finishedAt - record.startedAt;
    logError(this.deps.logger, 'warn', { job: definition.id, status, attempts: record.attempts, durationMs, scheduledAt: new Date(record.scheduledAt) }, error, `job ${status.replaceAll('_', ' ')}`);
    const payload = runEvent(definition, record, error);
    emitter.emit(event, payload);
    if (forward) bus.emit(busEvent, payload);
    if (status === 'aborted') return;
    for (const hook of this.deps.failureHooks) {
      try {
        void Promise.resolve(hook({ jobId: definition.id, owner: definition.owner, record, error })).catch((err: unknown) => {
          logError(this.deps.logger, 'error', { job: definition.id }, err, 'onFailure hook rejected');
        });
      } catch (err) {
        logError(this.deps.logger, 'error', { job: definition.id }, err, 'onFailure hook threw');
      }
    }
  }
}

/** The run object of a scheduled run with no run lease (see {@link RunLifecycle.startScheduled}). */
function scheduledRun(definition: ScheduleDefinition, scheduledAt: number, job: LocalJob): Run {
  return { definition, scheduledAt, manual: undefined, job, leaseId: undefined, leaseCounted: false, done: undefined };
}

function runEvent(definition: ScheduleDefinition, record: RunRecord, error: unknown): SchedulerEvents['job.failed'] {
  const base = { jobId: definition.id, owner: definition.owner, scheduledAt: new Date(record.scheduledAt), record };
  return error === undefined ? base : { ...base, error };
}

/** The scheduler event of each final run status (forwarded to the app's bus as `scheduler.<event>`). */
const RUN_EVENTS = {
  succeeded: 'job.succeeded',
  failed: 'job.failed',
  timed_out: 'job.timed_out',
  aborted: 'job.aborted',
  // The worker or child died: failures of the run (record.status says which).
  crashed: 'job.failed',
  out_of_memory: 'job.failed',
} as const satisfies Record<ExecutionStatus, keyof SchedulerEvents>;

/** {@link RUN_EVENTS} as named on the app's bus (constant strings: no name is built per run). */
const BUS_RUN_EVENTS = {
  succeeded: 'scheduler.job.succeeded',
  failed: 'scheduler.job.failed',
  timed_out: 'scheduler.job.timed_out',
  aborted: 'scheduler.job.aborted',
  crashed: 'scheduler.job.failed',
  out_of_memory: 'scheduler.job.failed',
} as const satisfies { [S in keyof typeof RUN_EVENTS]: `scheduler.${(typeof RUN_EVENTS)[S]}` };
