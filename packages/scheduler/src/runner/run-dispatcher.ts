/**
 * The run path: from an accepted occurrence to a recorded run.
 *
 * @remarks
 * Jitter delay (waited in full, also past 2^31-1 ms: {@link setLongTimeout}), run slots
 * (`maxInstances` through the store's leased slots, or this process's count for a process-local
 * store), overlap `skip`/`queue`, the executor, the run record and the
 * run events and failure hooks. This is the hot path of a fire: with a process-local store and a
 * synchronous job it allocates no promise and no timer, and the child logger is created only if
 * the job uses it. Store writes (history, slot release) are not awaited on the run path but are
 * counted as in flight, so `whenIdle()` (used by the drain on shutdown) waits for them.
 */
import type { Logger } from 'pino';
import { setLongTimeout, type EventBus, type LongTimeout } from '@xcore/core';
import type { CommittedRun, ScheduleDefinition, RunRecord, RunSlot, Store, StoredSchedule } from '../stores/store.js';
import { applyJitter } from '../triggers/jitter.js';
import { retryDelay } from '../triggers/retry-delay.js';
import { InlineExecutor, type ExecutionOutcome } from '../executors/inline-executor.js';
import { errorMessage, logError } from '../executors/error-message.js';
import type { SchedulerEmitter, SchedulerEvents } from '../events/scheduler-events.js';
import type { JobFailure, JobFunction } from '../service/scheduler-service.js';
import type { SlotKeeper } from './slot-keeper.js';
import { FinishQueue } from './finish-queue.js';
import type { RunObservers } from './run-observer.js';

/** What this process holds per job: its handler, its definition and its runs in progress here. */
export interface LocalJob {
  fn: JobFunction;
  owner: string;
  historyLimit: number;
  /** The definition this process registered (put back if the store loses it). */
  definition: ScheduleDefinition;
  /** The schedule's phase anchor as the store had it at registration (a restore keeps the phase). */
  anchor: number;
  /** Runs of this job in progress in this process (the run slots of a process-local store). */
  running: number;
  /** `false` once the handler was removed or detached (a stale reference must not run). */
  attached: boolean;
}

/** Who asked for a run outside the schedule (`runJob`, an operator's run-now); `{}` when nobody is named. */
export interface ManualRun {
  readonly requestedBy?: string;
  readonly requestId?: string;
}

/** The record fields of a manual run. */
function manualFields(manual: ManualRun): Pick<RunRecord, 'manual' | 'requestedBy' | 'requestId'> {
  return { manual: true, ...(manual.requestedBy === undefined ? {} : { requestedBy: manual.requestedBy }), ...(manual.requestId === undefined ? {} : { requestId: manual.requestId }) };
}

interface QueuedRun {
  readonly definition: ScheduleDefinition;
  readonly scheduledAt: number;
  readonly manual: ManualRun | undefined;
  /** The in-flight slot its commit recorded (not counted yet), if any. */
  readonly runId: string | undefined;
  readonly resolve: (record: RunRecord) => void;
}

/** Shared state and callbacks the {@link RunDispatcher} works with (owned by the scheduler). */
export interface RunDispatcherDeps {
  readonly store: Store;
  readonly logger: Logger;
  /** This process's owner id in slots and records. */
  readonly owner: string;
  readonly leaseMs: number;
  /** Use this process's running counts instead of the store's slots (process-local store). */
  readonly localSlots: boolean;
  readonly random: () => number;
  /** Handlers registered in this process, by job id. */
  readonly handlers: ReadonlyMap<string, LocalJob>;
  readonly emitter: SchedulerEmitter;
  readonly failureHooks: ReadonlySet<(failure: JobFailure) => void | Promise<void>>;
  readonly slots: SlotKeeper;
  readonly bus: EventBus | undefined;
  readonly defaultHistoryLimit: number;
  /** Told of every ended run, skip and miss (run log, metrics), where the history record is written. */
  readonly observers: RunObservers;
  /** Store clock minus local clock, ms. */
  skew(): number;
  isStopping(): boolean;
  /** The outcome of a store call on the run path (`run`) or of the finish queue (`finish`): an error, or `null`. */
  reportHealth(source: 'run' | 'finish', error: unknown): void;
}

/**
 * Runs accepted occurrences: slots, overlap, executor, history and events.
 *
 * @example
 * ```ts
 * const runs = new RunDispatcher(deps);
 * runs.dispatch(schedule, scheduledAt, nextRunAt); // from the runner
 * const record = await runs.launch(definition, Date.now(), {}); // runJob
 * ```
 */
export class RunDispatcher {
  private readonly queues = new Map<string, QueuedRun[]>();
  private readonly jitterTimers = new Set<LongTimeout>();
  private inflight = 0;
  private idleWaiters: (() => void)[] = [];
  private runSeq = 0;
  /** The executor; `abortAll` aborts runs in progress. */
  readonly executor: InlineExecutor;
  /** Slot releases and run records of a shared store, batched (`undefined` with local slots). */
  private readonly finished: FinishQueue | undefined;

  constructor(private readonly deps: RunDispatcherDeps) {
    this.finished = deps.localSlots ? undefined : new FinishQueue({
      store: deps.store,
      logger: deps.logger,
      onHealth: (error) => deps.reportHealth('finish', error),
      onSettled: (count) => {
        for (let i = 0; i < count; i++) this.settled();
      },
    });
    this.executor = new InlineExecutor({
      logger: deps.logger,
      backoff: (attempt, baseMs) => retryDelay(attempt, baseMs, deps.random),
      onAttempt: (request, attempt) => {
        if (deps.emitter.has('job.started')) {
          deps.emitter.emit('job.started', { jobId: request.jobId, owner: request.owner, scheduledAt: new Date(request.scheduledAt), attempt });
        }
      },
    });
  }

  /** Runs or launches nothing more: drops occurrences waiting for jitter or in queues (shutdown). */
  cancelPending(): void {
    if (this.jitterTimers.size > 0) {
      this.deps.logger.warn({ count: this.jitterTimers.size }, 'shutdown dropped occurrences waiting for their jitter delay');
      for (const timer of this.jitterTimers) timer.clear();
      this.jitterTimers.clear();
    }
    for (const [id] of this.queues) this.dropQueue(id);
    this.finished?.flushSoon();
  }

  /** Gives up on finished runs not yet written (shutdown after the drain deadline). */
  abandonWrites(): void {
    this.finished?.abandon();
  }

  /** True while a run or a store write is in flight. */
  get busy(): boolean {
    return this.inflight > 0;
  }

  /** Retries every queued occurrence (a slot may have freed in another process). */
  drainQueues(): void {
    if (this.queues.size === 0) return;
    for (const id of [...this.queues.keys()]) this.drainQueue(id);
  }


  /**
   * Runs an occurrence the runner committed, after its jitter delay; `job` is its handler as
   * claimed, `run` the in-flight slot its commit took (shared store).
   */
  dispatch(schedule: StoredSchedule, scheduledAt: number, nextRunAt: number | null, job?: LocalJob, run?: CommittedRun): void {
    const { definition } = schedule;
    // The slot is ours from the commit on: renew it through jitter delays and queues too.
    if (run !== undefined) this.deps.slots.track(definition.id, run.runId);
    const jitter = definition.policy.jitterMs;
    if (jitter > 0) {
      const runAt = applyJitter(scheduledAt, jitter, nextRunAt, this.deps.random);
      const delay = runAt - (Date.now() + this.deps.skew());
      if (delay > 0) {
        const timer = setLongTimeout(() => {
          this.jitterTimers.delete(timer);
          this.launch(definition, scheduledAt, undefined, undefined, run);
        }, delay);
        this.jitterTimers.add(timer);
        return;
      }
    }
    this.launch(definition, scheduledAt, undefined, job, run);
  }

  /**
   * Starts one run. Never throws or rejects.
   *
   * @remarks
   * The hot path: with a process-local store and a synchronous job this allocates no promise
   * and the record is returned synchronously; store writes are not awaited (a failing write
   * marks the scheduler degraded) but are counted as in flight so `stop` waits for them.
   */
  launch(definition: ScheduleDefinition, scheduledAt: number, manual: ManualRun | undefined, handler?: LocalJob, committed?: CommittedRun): RunRecord | Promise<RunRecord> {
    // A handler looked up at claim time may have been detached since (its plugin stopped).
    const job = handler !== undefined && handler.attached ? handler : this.deps.handlers.get(definition.id);
    if (job === undefined) {
      // A committed slot is left to lapse: the run is recovered or recorded lost elsewhere.
      if (committed !== undefined) this.deps.slots.untrack(committed.runId);
      this.deps.logger.warn({ job: definition.id, scheduledAt: new Date(scheduledAt) }, 'occurrence accepted but its handler was detached before it started; not run');
      return { jobId: definition.id, scheduledAt, startedAt: null, finishedAt: null, status: 'aborted', attempts: 0, error: 'handler detached' };
    }
    if (committed !== undefined) {
      if (committed.slotted) return this.run(definition, job, committed.runId, scheduledAt, manual);
      return this.notAcquired(definition, job, scheduledAt, manual, committed.runId);
    }
    if (!this.deps.localSlots) return this.launchShared(definition, job, scheduledAt, manual);
    if (job.running < definition.policy.maxInstances) return this.run(definition, job, null, scheduledAt, manual);
    return this.notAcquired(definition, job, scheduledAt, manual);
  }

  /** The run path with run slots in a shared store (`maxInstances` across processes). */
  private async launchShared(definition: ScheduleDefinition, job: LocalJob, scheduledAt: number, manual: ManualRun | undefined, heldRunId?: string): Promise<RunRecord> {
    let runId: string | null = heldRunId ?? `${this.deps.owner}#${++this.runSeq}`;
    let acquired: boolean;
    this.inflight += 1;
    try {
      const slot: RunSlot = { jobId: definition.id, runId, scheduledAt, owner: this.deps.owner, leaseUntil: Date.now() + this.deps.skew() + this.deps.leaseMs };
      acquired = await this.deps.store.acquireSlot(slot, definition.policy.maxInstances);
    } catch (error) {
      // The occurrence is committed: run it rather than lose it, bounded by this process's count.
      this.deps.reportHealth('run', error);
      acquired = job.running < definition.policy.maxInstances;
      // A slot the commit took stays ours (released when the run finishes); a new one was not taken.
      if (heldRunId === undefined) runId = null;
    } finally {
      this.settled();
    }
    if (!acquired) return this.notAcquired(definition, job, scheduledAt, manual, heldRunId);
    return this.run(definition, job, runId, scheduledAt, manual);
  }

  /** `maxInstances` runs are in progress: queue the occurrence or skip it. */
  private notAcquired(definition: ScheduleDefinition, job: LocalJob, scheduledAt: number, manual: ManualRun | undefined, runId?: string): RunRecord | Promise<RunRecord> {
    if (definition.policy.overlap === 'queue' && !this.deps.isStopping()) {
      return new Promise<RunRecord>((resolve) => {
        let queue = this.queues.get(definition.id);
        if (queue === undefined) this.queues.set(definition.id, (queue = []));
        queue.push({ definition, scheduledAt, manual, runId, resolve });
        // No run of this job in progress here: the slot may be held by a run that finished here
        // and whose release is still in the finish queue; retry once that is written.
        if (job.running === 0 && queue.length === 1 && this.finished?.pending === true) {
          void this.finished.whenWritten().then(() => this.drainQueue(definition.id));
        }
      });
    }
    const record: RunRecord = {
      jobId: definition.id, scheduledAt, startedAt: null, finishedAt: null, status: 'skipped', attempts: 0, owner: this.deps.owner,
      error: `maxInstances (${definition.policy.maxInstances}) runs in progress`, ...(manual ? manualFields(manual) : {}),
    };
    this.deps.logger.debug({ job: definition.id, scheduledAt: new Date(scheduledAt) }, 'occurrence skipped: maxInstances runs in progress');
    if (runId !== undefined) this.deps.slots.untrack(runId);
    const saved = this.save(record, job.historyLimit, runId === undefined ? undefined : { jobId: definition.id, runId });
    if (!this.deps.observers.empty) this.deps.observers.ended({ jobOwner: definition.owner, record });
    const forward = this.deps.bus?.has('scheduler.job.skipped') === true;
    if (forward || this.deps.emitter.has('job.skipped')) {
      const payload = { jobId: definition.id, owner: definition.owner, scheduledAt: new Date(scheduledAt), reason: 'max_instances' } as const;
      this.deps.emitter.emit('job.skipped', payload);
      if (forward) this.deps.bus!.emit('scheduler.job.skipped', payload);
    }
    return manual && saved !== undefined ? saved.then(() => record) : record;
  }

  private run(definition: ScheduleDefinition, job: LocalJob, runId: string | null, scheduledAt: number, manual: ManualRun | undefined): RunRecord | Promise<RunRecord> {
    const id = definition.id;
    this.inflight += 1;
    job.running += 1;
    if (runId !== null) this.deps.slots.track(id, runId);
    const outcome = this.executor.runJob(id, definition.owner, job.fn, definition.args, definition.policy, scheduledAt);
    if (outcome instanceof Promise) return outcome.then((o) => this.finish(definition, job, runId, scheduledAt, manual, o));
    return this.finish(definition, job, runId, scheduledAt, manual, outcome);
  }

  private finish(definition: ScheduleDefinition, job: LocalJob, runId: string | null, scheduledAt: number, manual: ManualRun | undefined, outcome: ExecutionOutcome): RunRecord | Promise<RunRecord> {
    const id = definition.id;
    job.running -= 1;
    let slot: { jobId: string; runId: string } | undefined;
    if (runId !== null) {
      this.deps.slots.untrack(runId);
      slot = { jobId: id, runId };
    }
    const record: { -readonly [K in keyof RunRecord]: RunRecord[K] } = {
      jobId: id, scheduledAt, startedAt: outcome.startedAt, finishedAt: outcome.finishedAt, status: outcome.status, attempts: outcome.attempts, owner: this.deps.owner,
    };
    if (outcome.status !== 'succeeded') record.error = errorMessage(outcome.error);
    if (manual) Object.assign(record, manualFields(manual));
    const saved = this.save(record, job.historyLimit, slot);
    if (!this.deps.observers.empty) this.deps.observers.ended({ jobOwner: definition.owner, record, error: outcome.error, value: outcome.value });
    this.emitOutcome(definition, record, outcome.status, outcome.error);
    this.settled();
    this.drainQueue(id);
    return manual && saved !== undefined ? saved.then(() => record) : record;
  }

  /**
   * Writes a run record (and frees the run's slot) without blocking the run path; `stop` waits
   * for pending writes. On a shared store both go through the batched, retried finish queue.
   */
  private save(record: RunRecord, historyLimit: number, slot?: { jobId: string; runId: string }): Promise<void> | undefined {
    if (this.finished !== undefined) {
      if (historyLimit <= 0 && slot === undefined) return undefined;
      this.inflight += 1;
      if (record.manual === true) {
        // runJob resolves once its record is stored: one direct call, not the batch.
        return this.deps.store.finishRuns([historyLimit > 0 ? { slot, record, historyLimit } : { slot, historyLimit }]).then(this.afterWrite, this.afterWriteError);
      }
      this.finished.push(historyLimit > 0 ? (slot === undefined ? { record, historyLimit } : { slot, record, historyLimit }) : { slot, historyLimit });
      return undefined;
    }
    if (historyLimit <= 0) return undefined;
    const { store } = this.deps;
    if (store.recordRunNow !== undefined) {
      try {
        store.recordRunNow(record, historyLimit);
      } catch (error) {
        this.deps.reportHealth('run', error);
      }
      return undefined;
    }
    this.inflight += 1;
    return store.recordRun(record, historyLimit).then(this.afterWrite, this.afterWriteError);
  }

  private readonly afterWrite = (): void => this.settled();
  private readonly afterWriteError = (error: unknown): void => {
    this.deps.reportHealth('run', error);
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
  whenIdle(): Promise<void> {
    return this.inflight === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Launches the oldest queued occurrence of job `id`, if any (a run of it just finished). */
  drainQueue(id: string): void {
    // Called after every run: no hash probe in the common case of no queue at all.
    if (this.queues.size === 0) return;
    const queue = this.queues.get(id);
    if (queue === undefined) return;
    const next = queue.shift();
    if (queue.length === 0) this.queues.delete(id);
    if (next === undefined || this.deps.isStopping()) return;
    const result = next.runId === undefined ? this.launch(next.definition, next.scheduledAt, next.manual) : this.launchQueued(next);
    if (result instanceof Promise) void result.then(next.resolve);
    else next.resolve(result);
  }

  /** A queued occurrence whose commit recorded an uncounted slot: count that slot now, or wait again. */
  private async launchQueued(next: QueuedRun): Promise<RunRecord> {
    // The run that just finished here frees its slot through the finish queue: take the slot
    // only after that release is written, or the queued occurrence would find it still taken.
    this.inflight += 1;
    try {
      await this.finished?.whenWritten();
    } finally {
      this.settled();
    }
    const job = this.deps.handlers.get(next.definition.id);
    if (job === undefined || this.deps.isStopping()) {
      // Not run here: its slot lapses and is reaped (recovered with recover: true).
      this.deps.slots.untrack(next.runId!);
      return { jobId: next.definition.id, scheduledAt: next.scheduledAt, startedAt: null, finishedAt: null, status: 'aborted', attempts: 0, error: 'queued run dropped (job detached or scheduler stopped)' };
    }
    return this.launchShared(next.definition, job, next.scheduledAt, next.manual, next.runId);
  }

  dropQueue(id: string): void {
    const queue = this.queues.get(id);
    if (queue === undefined) return;
    this.queues.delete(id);
    for (const q of queue) {
      // Its slot lapses and is reaped: recovered (recover: true) or recorded lost elsewhere.
      if (q.runId !== undefined) this.deps.slots.untrack(q.runId);
      q.resolve({ jobId: id, scheduledAt: q.scheduledAt, startedAt: null, finishedAt: null, status: 'aborted', attempts: 0, error: 'queued run dropped (job detached or scheduler stopped)' });
    }
  }

  /**
   * The run's event, to the scheduler's listeners and (as `scheduler.job.<status>`) to the app's
   * bus; the payload is built only when someone listens (the success path runs 100k times a second).
   */
  private emitOutcome(definition: ScheduleDefinition, record: RunRecord, status: ExecutionOutcome['status'], error: unknown): void {
    const { emitter, bus } = this.deps;
    const event = RUN_EVENTS[status];
    const busEvent = BUS_RUN_EVENTS[status];
    const forward = bus !== undefined && bus.has(busEvent);
    if (status === 'succeeded') {
      if (forward || emitter.has(event)) {
        const payload = this.runEvent(definition, record, error);
        emitter.emit(event, payload);
        if (forward) bus.emit(busEvent, payload);
      }
      return;
    }
    // A job may throw anything (a revoked Proxy, a cycle without a prototype): logError never throws.
    logError(this.deps.logger, 'warn', { job: definition.id, status, attempts: record.attempts, scheduledAt: new Date(record.scheduledAt) }, error, `job ${status.replace('_', ' ')}`);
    const payload = this.runEvent(definition, record, error);
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

  private runEvent(definition: ScheduleDefinition, record: RunRecord, error: unknown): SchedulerEvents['job.failed'] {
    const base = { jobId: definition.id, owner: definition.owner, scheduledAt: new Date(record.scheduledAt), record };
    return error === undefined ? base : { ...base, error };
  }

  onMissed(schedule: StoredSchedule, count: number, nextRunAt: number | null): void {
    const { definition } = schedule;
    this.deps.logger.debug({ job: definition.id, count }, 'occurrences missed (misfire grace time / coalesce)');
    if (!this.deps.observers.empty) this.deps.observers.missed({ jobId: definition.id, jobOwner: definition.owner, count, process: this.deps.owner, decidedAt: Date.now() });
    const forward = this.deps.bus?.has('scheduler.job.missed') === true;
    if (forward || this.deps.emitter.has('job.missed')) {
      const payload = { jobId: definition.id, owner: definition.owner, count, nextRunAt: nextRunAt === null ? null : new Date(nextRunAt) };
      this.deps.emitter.emit('job.missed', payload);
      if (forward) this.deps.bus!.emit('scheduler.job.missed', payload);
    }
  }

  async onReaped(slots: readonly RunSlot[]): Promise<void> {
    for (const slot of slots) {
      try {
        const schedule = await this.deps.store.get(slot.jobId);
        if (schedule === null) continue;
        const job = this.deps.handlers.get(slot.jobId);
        if (schedule.definition.policy.recover && job !== undefined && !this.deps.isStopping()) {
          this.deps.logger.warn({ job: slot.jobId, scheduledAt: new Date(slot.scheduledAt), deadOwner: slot.owner }, 'recovering a run whose process died');
          this.launch(schedule.definition, slot.scheduledAt, undefined);
        } else {
          this.deps.logger.warn({ job: slot.jobId, scheduledAt: new Date(slot.scheduledAt), deadOwner: slot.owner }, 'a run was lost with its process (set recover: true to re-run it)');
          const record: RunRecord = { jobId: slot.jobId, scheduledAt: slot.scheduledAt, startedAt: null, finishedAt: null, status: 'aborted', attempts: 1, owner: slot.owner, error: 'process died mid-run' };
          if (!this.deps.observers.empty) this.deps.observers.ended({ jobOwner: schedule.definition.owner, record });
          await this.save(record, job?.historyLimit ?? this.deps.defaultHistoryLimit);
        }
      } catch (error) {
        this.deps.reportHealth('run', error);
      }
    }
  }
}

/** The scheduler event of each final run status (forwarded to the app's bus as `scheduler.<event>`). */
const RUN_EVENTS = {
  succeeded: 'job.succeeded',
  failed: 'job.failed',
  timed_out: 'job.timed_out',
  aborted: 'job.aborted',
} as const satisfies Record<ExecutionOutcome['status'], keyof SchedulerEvents>;

/** {@link RUN_EVENTS} as named on the app's bus (constant strings: no name is built per run). */
const BUS_RUN_EVENTS = {
  succeeded: 'scheduler.job.succeeded',
  failed: 'scheduler.job.failed',
  timed_out: 'scheduler.job.timed_out',
  aborted: 'scheduler.job.aborted',
} as const satisfies { [S in keyof typeof RUN_EVENTS]: `scheduler.${(typeof RUN_EVENTS)[S]}` };
