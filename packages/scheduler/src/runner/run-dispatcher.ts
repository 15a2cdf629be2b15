/**
 * Admission on the run path: from an accepted occurrence to a started (or declined) run.
 *
 * @remarks
 * Jitter delay (waited in full, also past 2^31-1 ms: {@link setLongTimeout}), `maxInstances`
 * through the store's run leases (or this process's count for a process-local store), overlap
 * `skip`/`queue`, and recovery of runs lost with a dead process. Once admitted, a run belongs to
 * the {@link RunLifecycle} (`run.ts`): executor, record, events. This is the hot path of a fire:
 * with a process-local store and a synchronous job it allocates one small run object, no promise
 * and no timer.
 */
import type { Logger } from 'pino';
import { setLongTimeout, type LongTimeout } from '@xcore/core';
import type { CommittedRun, ScheduleDefinition, RunRecord, RunSlot, Store, StoredSchedule } from '../stores/store.js';
import { applyJitter } from '../triggers/jitter.js';
import type { SchedulerEmitter } from '../events/scheduler-events.js';
import type { MissedRange } from '../policy/plan.js';
import type { EventBus } from '@xcore/core';
import type { RunLeaseKeeper } from './run-lease-keeper.js';
import type { LocalJob, ManualRun, Run, RunLifecycle } from './run.js';
import type { RunObservers } from './run-observer.js';

/** Why a queued occurrence ends without running. */
const QUEUE_DROPPED = 'queued run dropped (job detached or scheduler stopped)';

/** Shared state and callbacks the {@link RunDispatcher} works with (owned by the scheduler). */
export interface RunDispatcherDeps {
  readonly store: Store;
  readonly logger: Logger;
  /** This process's owner id in run leases and records. */
  readonly owner: string;
  readonly leaseMs: number;
  /** Count `maxInstances` with this process's running counts instead of run leases (process-local store). */
  readonly localLeases: boolean;
  readonly random: () => number;
  /** Handlers registered in this process, by job id. */
  readonly handlers: ReadonlyMap<string, LocalJob>;
  readonly emitter: SchedulerEmitter;
  readonly bus: EventBus | undefined;
  readonly leases: RunLeaseKeeper;
  readonly lifecycle: RunLifecycle;
  readonly defaultHistoryLimit: number;
  /** Told of each misfire decision (run log, metrics); ended runs reach them through the lifecycle. */
  readonly observers: RunObservers;
  /** Store clock minus local clock, ms. */
  skew(): number;
  isStopping(): boolean;
  /** The outcome of a store call on the run path: an error, or `null`. */
  reportHealth(error: unknown): void;
}

/**
 * Admits accepted occurrences: jitter, `maxInstances`, overlap queues.
 *
 * @example
 * ```ts
 * const runs = new RunDispatcher(deps);
 * runs.dispatch(definition, scheduledAt, nextRunAt); // from the runner
 * const record = await runs.runNow(definition, Date.now(), {}); // runJob
 * ```
 */
export class RunDispatcher {
  private readonly queues = new Map<string, Run[]>();
  private readonly jitterTimers = new Set<LongTimeout>();
  private runSeq = 0;

  constructor(private readonly deps: RunDispatcherDeps) {}

  /** Occurrences admitted but waiting here: in overlap queues or for their jitter delay (a metric). */
  get waiting(): number {
    let n = this.jitterTimers.size;
    for (const queue of this.queues.values()) n += queue.length;
    return n;
  }

  /** Runs or launches nothing more: drops occurrences waiting for jitter or in queues (shutdown). */
  cancelPending(): void {
    if (this.jitterTimers.size > 0) {
      this.deps.logger.warn({ count: this.jitterTimers.size }, 'shutdown dropped occurrences waiting for their jitter delay');
      for (const timer of this.jitterTimers) timer.clear();
      this.jitterTimers.clear();
    }
    for (const [id] of this.queues) this.dropQueue(id);
    this.deps.lifecycle.finished?.flushSoon();
  }

  /** Retries every queued occurrence (a run lease may have been released in another process). */
  drainQueues(): void {
    if (this.queues.size === 0) return;
    for (const id of [...this.queues.keys()]) this.drainQueue(id);
  }

  /**
   * Runs an occurrence the runner committed, after its jitter delay; `job` is its handler as
   * claimed, `committed` the run lease its commit took (shared store).
   */
  dispatch(definition: ScheduleDefinition, scheduledAt: number, nextRunAt: number | null, job?: LocalJob, committed?: CommittedRun): void {
    const { policy } = definition;
    // What admit decides for a handler that is still attached, with no jitter and no run lease.
    if (committed === undefined && job !== undefined && policy.jitterMs === 0 && this.deps.localLeases && job.attached && job.running < policy.maxInstances) {
      this.deps.lifecycle.startScheduled(definition, scheduledAt, job);
      return;
    }
    const run: Run = { definition, scheduledAt, manual: undefined, job, leaseId: committed?.runId, leaseCounted: committed?.slotted === true, done: undefined };
    // The lease is ours from the commit on: renew it through jitter delays and queues too.
    if (committed !== undefined) this.deps.leases.track(definition.id, committed.runId);
    const jitter = policy.jitterMs;
    if (jitter > 0) {
      const runAt = applyJitter(scheduledAt, jitter, nextRunAt, this.deps.random);
      const delay = runAt - (Date.now() + this.deps.skew());
      if (delay > 0) {
        const timer = setLongTimeout(() => {
          this.jitterTimers.delete(timer);
          this.admit(run);
        }, delay);
        this.jitterTimers.add(timer);
        return;
      }
    }
    this.admit(run);
  }

  /** Runs `definition` now outside its schedule (`runJob`, an operator's run-now); resolves to its record once written. */
  runNow(definition: ScheduleDefinition, scheduledAt: number, manual: ManualRun): Promise<RunRecord> {
    return new Promise((done) => this.admit({ definition, scheduledAt, manual, job: undefined, leaseId: undefined, leaseCounted: false, done }));
  }

  /** Starts `run` if `maxInstances` allows, else queues or skips it. Never throws. */
  private admit(run: Run): void {
    const { definition } = run;
    // A handler looked up at claim time may have been detached since (its plugin stopped).
    const job = run.job !== undefined && run.job.attached ? run.job : this.deps.handlers.get(definition.id);
    if (job === undefined) {
      // A committed lease is left to lapse: the run is recovered or recorded lost elsewhere.
      this.deps.logger.warn({ job: definition.id, scheduledAt: new Date(run.scheduledAt) }, 'occurrence accepted but its handler was detached before it started; not run');
      this.deps.lifecycle.decline(run, 'aborted', 'handler detached', 0);
      return;
    }
    run.job = job;
    if (run.leaseId !== undefined && run.leaseCounted) this.deps.lifecycle.start(run, job);
    else if (run.leaseId !== undefined) this.notAdmitted(run, job);
    else if (!this.deps.localLeases) void this.acquireLease(run, job);
    else if (job.running < definition.policy.maxInstances) this.deps.lifecycle.start(run, job);
    else this.notAdmitted(run, job);
  }

  /** Counts `run` against `maxInstances` in a shared store: its uncounted lease, or a new one. */
  private async acquireLease(run: Run, job: LocalJob): Promise<void> {
    const { definition, scheduledAt } = run;
    const held = run.leaseId;
    const leaseId = held ?? `${this.deps.owner}#${++this.runSeq}`;
    let acquired: boolean;
    let counted: string | undefined = leaseId;
    try {
      const lease: RunSlot = { jobId: definition.id, runId: leaseId, scheduledAt, owner: this.deps.owner, leaseUntil: Date.now() + this.deps.skew() + this.deps.leaseMs };
      acquired = await this.deps.lifecycle.inflight.track(this.deps.store.acquireSlot(lease, definition.policy.maxInstances));
    } catch (error) {
      // The occurrence is committed: run it rather than lose it, bounded by this process's count.
      this.deps.reportHealth(error);
      acquired = job.running < definition.policy.maxInstances;
      // A lease the commit took stays ours (released when the run finishes); a new one was not taken.
      if (held === undefined) counted = undefined;
    }
    if (!acquired) {
      this.notAdmitted(run, job);
      return;
    }
    run.leaseId = counted;
    run.leaseCounted = true;
    this.deps.lifecycle.start(run, job);
  }

  /** `maxInstances` runs are in progress: queue the occurrence or skip it. */
  private notAdmitted(run: Run, job: LocalJob): void {
    const { definition } = run;
    if (definition.policy.overlap === 'queue' && !this.deps.isStopping()) {
      let queue = this.queues.get(definition.id);
      if (queue === undefined) this.queues.set(definition.id, (queue = []));
      queue.push(run);
      // No run of this job in progress here: the lease may be held by a run that finished here
      // and whose release is still in the finish queue; retry once that is written.
      const { finished } = this.deps.lifecycle;
      if (job.running === 0 && queue.length === 1 && finished?.pending === true) {
        void finished.whenWritten().then(() => this.drainQueue(definition.id));
      }
      return;
    }
    this.deps.logger.debug({ job: definition.id, scheduledAt: new Date(run.scheduledAt) }, 'occurrence skipped: maxInstances runs in progress');
    this.deps.lifecycle.decline(run, 'skipped', `maxInstances (${definition.policy.maxInstances}) runs in progress`, job.historyLimit);
  }

  /** Admits the oldest queued occurrence of job `id`, if any (a run of it just finished). */
  drainQueue(id: string): void {
    // Called after every run: no hash probe in the common case of no queue at all.
    if (this.queues.size === 0) return;
    const queue = this.queues.get(id);
    if (queue === undefined) return;
    const next = queue.shift();
    if (queue.length === 0) this.queues.delete(id);
    if (next === undefined || this.deps.isStopping()) return;
    if (next.leaseId === undefined) this.admit(next);
    else void this.admitQueuedLease(next);
  }

  /** A queued occurrence whose commit recorded an uncounted lease: count that lease now, or wait again. */
  private async admitQueuedLease(run: Run): Promise<void> {
    // The run that just finished here releases its lease through the finish queue: take the
    // lease only after that release is written, or the queued occurrence would find it still taken.
    const { finished } = this.deps.lifecycle;
    if (finished !== undefined) await this.deps.lifecycle.inflight.track(finished.whenWritten());
    const job = this.deps.handlers.get(run.definition.id);
    if (job === undefined || this.deps.isStopping()) {
      // Not run here: its lease lapses and is reaped (recovered with recover: true).
      this.deps.lifecycle.decline(run, 'aborted', QUEUE_DROPPED, 0);
      return;
    }
    run.job = job;
    await this.acquireLease(run, job);
  }

  /** Ends every queued occurrence of job `id` as aborted (its job detached, or shutdown). */
  dropQueue(id: string): void {
    const queue = this.queues.get(id);
    if (queue === undefined) return;
    this.queues.delete(id);
    // Their leases lapse and are reaped: recovered (recover: true) or recorded lost elsewhere.
    for (const run of queue) this.deps.lifecycle.decline(run, 'aborted', QUEUE_DROPPED, 0);
  }

  /** Occurrences the policy dropped: a debug line, `job.missed` and `scheduler.job.missed`. */
  onMissed(definition: ScheduleDefinition, count: number, nextRunAt: number | null, missed: MissedRange): void {
    this.deps.lifecycle.unchain();
    const first = new Date(missed.first);
    const last = new Date(missed.last);
    this.deps.logger.debug({ job: definition.id, count, first, last }, 'occurrences missed (misfire grace time / coalesce)');
    if (!this.deps.observers.empty) this.deps.observers.missed({ jobId: definition.id, jobOwner: definition.owner, count, process: this.deps.owner, decidedAt: Date.now() });
    const forward = this.deps.bus?.has('scheduler.job.missed') === true;
    if (forward || this.deps.emitter.has('job.missed')) {
      const payload = { jobId: definition.id, owner: definition.owner, count, first, last, nextRunAt: nextRunAt === null ? null : new Date(nextRunAt) };
      this.deps.emitter.emit('job.missed', payload);
      if (forward) this.deps.bus!.emit('scheduler.job.missed', payload);
    }
  }

  /** Run leases of dead processes, reaped: re-run with `recover: true`, else recorded lost. */
  async onReaped(leases: readonly RunSlot[]): Promise<void> {
    for (const lease of leases) {
      try {
        const schedule = await this.deps.store.get(lease.jobId);
        if (schedule === null) continue;
        const job = this.deps.handlers.get(lease.jobId);
        const context = { job: lease.jobId, scheduledAt: new Date(lease.scheduledAt), deadOwner: lease.owner };
        if (schedule.definition.policy.recover && job !== undefined && !this.deps.isStopping()) {
          this.deps.logger.warn(context, 'recovering a run whose process died');
          this.admit({ definition: schedule.definition, scheduledAt: lease.scheduledAt, manual: undefined, job: undefined, leaseId: undefined, leaseCounted: false, done: undefined });
        } else {
          this.deps.logger.warn(context, 'a run was lost with its process (set recover: true to re-run it)');
          await this.deps.lifecycle.recordLost(lease, schedule.definition.owner, job?.historyLimit ?? this.deps.defaultHistoryLimit);
        }
      } catch (error) {
        this.deps.reportHealth(error);
      }
    }
  }
}
