/**
 * Overdue occurrences and stuck runs: what a scheduler that looks healthy can still be doing
 * wrong. Checked on a timer; flagged in {@link OverdueWatch.status} (job health), counted in the
 * metrics, and emitted once per occurrence or run as `job.overdue` / `job.stuck` (on the app's bus
 * as `scheduler.job.overdue` / `scheduler.job.stuck`).
 *
 * @remarks
 * - **Overdue**: a job whose next occurrence has not started within its grace of being due: its
 *   `misfireGraceTime` when this process holds it and the grace is finite, else `overdue.after`
 *   (default 1 min). Nothing fired it: no live process holds its handler, firing is stuck or far
 *   behind. Looked for only when the store's earliest due time is late, then with a bounded scan
 *   of the job listing (every process's jobs on a shared store).
 * - **Stuck**: a run of this process running longer than a bound: `overdue.stuckAfter` when set,
 *   else one learned per job, `learnedFactor` × the longest of its last 20 completed runs and at
 *   least `learnedMin`, once it has completed 5 in this process (learned on its handler here: a
 *   job added again starts over). Its running time counts from when the watch first
 *   saw it, so it is known to within one check interval.
 */
import type { Logger } from 'pino';
import type { EventBus } from '@xcore/core';
import type { ActiveExecution } from '../executors/executor.js';
import type { SchedulerEmitter } from '../events/scheduler-events.js';
import type { LocalJob } from '../runner/run.js';
import type { Store } from '../stores/store.js';
import type { SchedulerOperatorView } from '../service/operator-types.js';

/** Options of the overdue watch (`services.scheduler.overdue`). */
export interface OverdueWatchConfig {
  /** How often to look, ms. @defaultValue `5000` */
  readonly checkIntervalMs: number;
  /** Grace of a job whose `misfireGraceTime` is unlimited, or that no handler here describes, ms. @defaultValue `60000` */
  readonly afterMs: number;
  /** A run longer than this is stuck, for every job (ms); `null` learns a bound per job. @defaultValue `null` */
  readonly stuckAfterMs: number | null;
  /** Learned bound: this many times the job's longest recent run. @defaultValue `3` */
  readonly learnedFactor: number;
  /** Learned bound: at least this long, ms. @defaultValue `60000` */
  readonly learnedMinMs: number;
}

/** Defaults of {@link OverdueWatchConfig}. */
export const OVERDUE_DEFAULTS: OverdueWatchConfig = Object.freeze({ checkIntervalMs: 5_000, afterMs: 60_000, stuckAfterMs: null, learnedFactor: 3, learnedMinMs: 60_000 });

/** An overdue job, as {@link OverdueWatch.status} and the `job.overdue` event report it. */
export interface OverdueJob {
  readonly jobId: string;
  readonly owner: string;
  /** The occurrence that has not started. */
  readonly dueAt: Date;
  /** How late it was when last checked, ms. */
  readonly lateMs: number;
  /** The grace it was judged by, ms. */
  readonly graceMs: number;
}

/** A stuck run, as {@link OverdueWatch.status} and the `job.stuck` event report it. */
export interface StuckRun {
  readonly jobId: string;
  readonly owner: string;
  readonly scheduledAt: Date;
  /** How long it has run (at least; see the module remarks), ms. */
  readonly runningMs: number;
  /** The bound it passed, ms. */
  readonly boundMs: number;
  /** Where the bound comes from: `configured` (`stuckAfter`) or `learned` (its recent runs). */
  readonly bound: 'configured' | 'learned';
}

/** What the watch reads and tells (owned by the scheduler). */
export interface OverdueWatchDeps {
  readonly store: Pick<Store, 'now' | 'nextWakeup'>;
  readonly operator: Pick<SchedulerOperatorView, 'listJobs'>;
  readonly handlers: ReadonlyMap<string, LocalJob>;
  /** Runs in progress in this process. */
  running(): ReadonlySet<ActiveExecution>;
  readonly emitter: SchedulerEmitter;
  readonly bus: EventBus | undefined;
  readonly logger: Logger;
}

/** Listing calls per check when looking for overdue jobs (500 jobs each): a check stays bounded. */
const SCAN_CALLS = 10;
/** Most overdue jobs tracked (and named). */
const MAX_OVERDUE = 1_000;
/** Completed runs remembered per job for the learned bound, and the fewest it is learned from. */
const LEARN_WINDOW = 20;
const LEARN_MIN_SAMPLES = 5;

/**
 * What the watch learns of a job's completed runs, kept on the job's handler in this process (no
 * lookup per run: at 10k jobs firing together a map probe per run was a quarter of the fire's
 * cost).
 *
 * @remarks
 * A run shorter than `learnedMinMs / learnedFactor` cannot raise the bound above `learnedMinMs`,
 * so only the count of runs is kept for those; the few long ones keep their duration while they
 * are among the job's last {@link LEARN_WINDOW} runs. The bound is the same as from every duration.
 */
export interface LearnedRuns {
  /** Completed runs learned from. */
  learnedRuns: number;
  /** `[run number, ms]` pairs of the long runs among the last {@link LEARN_WINDOW}; `null` when none. */
  longRuns: number[] | null;
}

/** Watches for overdue occurrences and stuck runs (see the module remarks). */
export class OverdueWatch {
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private readonly overdue = new Map<string, OverdueJob>();
  private readonly stuck = new Map<ActiveExecution, StuckRun>();
  private readonly firstSeen = new WeakMap<ActiveExecution, number>();

  constructor(private readonly deps: OverdueWatchDeps, readonly config: OverdueWatchConfig = OVERDUE_DEFAULTS) {}

  /** Starts checking every `checkIntervalMs` (an unref'd timer: it never keeps the process alive). */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.check(), this.config.checkIntervalMs);
    this.timer.unref();
  }

  /** Whether it checks on its own timer (between `start` and `stop`: while the scheduler fires). */
  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Stops checking. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The overdue jobs and stuck runs found by the last check. */
  status(): { readonly overdue: readonly OverdueJob[]; readonly stuck: readonly StuckRun[] } {
    return { overdue: [...this.overdue.values()], stuck: [...this.stuck.values()] };
  }

  /** Learns from a completed run of `job` that took `ms` (the learned stuck bound). */
  learn(job: LearnedRuns, ms: number): void {
    // A configured bound learns nothing.
    if (this.config.stuckAfterMs !== null) return;
    const n = ++job.learnedRuns;
    let long = job.longRuns;
    if (this.config.learnedFactor * ms >= this.config.learnedMinMs) (long ??= job.longRuns = []).push(n, ms);
    if (long === null || long[0]! > n - LEARN_WINDOW) return;
    let drop = 0;
    while (drop < long.length && long[drop]! <= n - LEARN_WINDOW) drop += 2;
    long.splice(0, drop);
    if (long.length === 0) job.longRuns = null;
  }

  /** The stuck bound of a job: configured, learned, or none yet. */
  boundOf(jobId: string): { ms: number; kind: 'configured' | 'learned' } | undefined {
    if (this.config.stuckAfterMs !== null) return { ms: this.config.stuckAfterMs, kind: 'configured' };
    const job = this.deps.handlers.get(jobId);
    if (job === undefined || job.learnedRuns < LEARN_MIN_SAMPLES) return undefined;
    let longest = 0;
    const long = job.longRuns;
    if (long !== null) for (let k = 1; k < long.length; k += 2) longest = Math.max(longest, long[k]!);
    return { ms: Math.max(this.config.learnedMinMs, this.config.learnedFactor * longest), kind: 'learned' };
  }

  /** One check (the timer calls it; tests may too). Never rejects: a failing store is logged at debug and tried next time. */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      this.checkStuck(Date.now());
      await this.checkOverdue();
    } catch (error) {
      // The store failing is reported by the degraded state; this check just tries again next time.
      this.deps.logger.debug({ err: error }, 'overdue check failed; trying again at the next check');
    } finally {
      this.checking = false;
    }
  }

  private checkStuck(now: number): void {
    const running = this.deps.running();
    for (const run of this.stuck.keys()) if (!running.has(run)) this.stuck.delete(run);
    for (const run of running) {
      let seen = this.firstSeen.get(run);
      if (seen === undefined) this.firstSeen.set(run, (seen = now));
      if (this.stuck.has(run)) {
        const flagged = this.stuck.get(run)!;
        this.stuck.set(run, { ...flagged, runningMs: now - seen });
        continue;
      }
      const { jobId, owner, scheduledAt } = run.request;
      const bound = this.boundOf(jobId);
      if (bound === undefined || now - seen <= bound.ms) continue;
      const stuck: StuckRun = { jobId, owner, scheduledAt: new Date(scheduledAt), runningMs: now - seen, boundMs: bound.ms, bound: bound.kind };
      this.stuck.set(run, stuck);
      this.deps.logger.warn({ job: jobId, scheduledAt: stuck.scheduledAt, runningMs: stuck.runningMs, boundMs: bound.ms, bound: bound.kind }, 'run is stuck: running past its bound');
      this.emit('job.stuck', 'scheduler.job.stuck', stuck);
    }
  }

  private async checkOverdue(): Promise<void> {
    const [now, wakeup] = await Promise.all([this.deps.store.now(), this.deps.store.nextWakeup()]);
    // Nothing is even 1 s late: no occurrence can be past a grace (graces are at least that).
    if (wakeup === null || wakeup > now - 1_000) {
      this.overdue.clear();
      return;
    }
    const found = new Map<string, OverdueJob>();
    let cursor: string | undefined;
    for (let calls = 0; calls < SCAN_CALLS && found.size < MAX_OVERDUE; calls++) {
      const page = await this.deps.operator.listJobs({ paused: false, state: 'scheduled', limit: 500, ...(cursor === undefined ? {} : { cursor }) });
      for (const job of page.items) {
        const due = job.nextRunAt === null ? NaN : Date.parse(job.nextRunAt);
        if (!(due < now - 1_000)) continue;
        const graceMs = this.graceOf(job.id);
        if (now - due <= graceMs) continue;
        found.set(job.id, { jobId: job.id, owner: job.owner, dueAt: new Date(due), lateMs: now - due, graceMs });
      }
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    for (const [id, job] of found) {
      const before = this.overdue.get(id);
      if (before === undefined || before.dueAt.getTime() !== job.dueAt.getTime()) {
        this.deps.logger.warn({ job: id, dueAt: job.dueAt, lateMs: job.lateMs, graceMs: job.graceMs }, 'job is overdue: its occurrence has not started within its grace');
        this.emit('job.overdue', 'scheduler.job.overdue', job);
      }
    }
    this.overdue.clear();
    for (const [id, job] of found) this.overdue.set(id, job);
  }

  /** The job's misfire grace when this process holds it and it is finite, else `afterMs`. */
  private graceOf(jobId: string): number {
    const grace = this.deps.handlers.get(jobId)?.definition.policy.misfireGraceTimeMs;
    return grace === null || grace === undefined ? this.config.afterMs : grace;
  }

  private emit<E extends 'job.overdue' | 'job.stuck'>(event: E, busEvent: `scheduler.${E}`, payload: E extends 'job.overdue' ? OverdueJob : StuckRun): void {
    this.deps.emitter.emit(event, payload as never);
    if (this.deps.bus?.has(busEvent) === true) this.deps.bus.emit(busEvent, payload as never);
  }
}
