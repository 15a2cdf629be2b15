/**
 * The runner: one timer for every job, claiming due schedules from the store in batches,
 * planning their occurrences, committing them and dispatching the accepted ones.
 *
 * @remarks
 * Never a timer per job: the runner sleeps until the store's next wakeup, capped at `pollMs`
 * (change hints wake it early, but hints can be lost, so the sleep is bounded; the cap also keeps
 * every `setTimeout` far below its 2^31-1 ms limit). A store with `claimBatch` returns its clock
 * and next wakeup with the claims, so a tick costs two store calls (claim, commit); others are
 * asked `now()` and `nextWakeup()` as well. A process-local store with `fireDueNow` (the memory
 * store) claims, plans (through this runner) and commits in one synchronous pass instead, and the
 * runner dispatches what it committed after the pass (see {@link Store.fireDueNow}). With `claimWindowMs`, ticks happen only on a grid of
 * that step on the store's clock, at an offset drawn at random for each tick: one claim takes every schedule
 * that came due in the window, and processes sharing a store take turns instead of all waking for
 * the same due time. A commit that failed (maybe applied with its answer lost) is sent again at
 * the start of the next tick. A store error never escapes: the runner reports it (health), backs off
 * exponentially (capped at {@link STORE_RETRY_MAX_MS} and `pollMs`) and retries, at once when the
 * store says its connection is back; on its next successful tick the misfire policy handles what
 * was missed meanwhile.
 */
import type { Logger } from 'pino';
import { MAX_TIMER_MS } from '@xcore/core';
import type { AheadPlan, Claim, ClaimBatch, ClaimOptions, CommitItem, CommitResult, CommitSlots, CommittedAhead, CommittedRun, DueVisitor, FiredBatch, ScheduleDefinition, Store, StoredSchedule, StoreChange } from '../stores/store.js';
import type { TriggerState } from '../triggers/trigger.js';
import type { MissedRange, Plan, PlanInput } from '../policy/plan.js';
import { aheadLength, planAhead } from './plan-ahead.js';

/**
 * Default `claimWindowMs` on a shared store (Redis): the window a tick's claim covers.
 *
 * @remarks
 * Each process ticks at most once per window, so at 1k schedules firing every second one claim
 * takes several schedules instead of two or three, and the lateness it adds (up to the window,
 * less with several processes at different offsets) stays far below BullMQ's. Measured with
 * `bench/redis.mjs --jobs 1000 --only xcore` (1, 2, 3 processes): client commands per firing
 * 1.07 / 2.23 / 3.35 with no window and a `nextWakeup` per tick, 0.13 / 0.41 / 0.78 with a
 * 10 ms window and the wakeup in the claim; p99 lateness 7.7 / 7.3 / 7.4 ms then
 * 15.4 / 11.3 / 8.1 ms (BullMQ: 110-270 ms). At 10k schedules a tick already takes many, and the
 * window changed little (one process: p99 27 ms with it, 31 ms without, one run each).
 */
export const SHARED_STORE_CLAIM_WINDOW_MS = 10;

/**
 * Under load the claim window shrinks so that a tick claims about this many schedules.
 *
 * @remarks
 * The window exists to gather several schedules per claim; when schedules come due faster than
 * this many per window, waiting the whole window only adds lateness. The runner measures the rate
 * at which its ticks claim (schedules per ms of store clock since the previous tick's claim) and
 * uses a grid step of `this many / rate`, between 1 ms and `claimWindowMs`: at 1k schedules a
 * second (about 10 per 10 ms window) the window is unchanged, at 10k a second the step is about
 * 1.6 ms. Client round trips stay amortised (claim and commit: about 2 per this many firings).
 * Measured with `bench/redis.mjs --jobs 10000 --procs 1 --only xcore` (one process, p50 / p99
 * lateness): 9.8 / 23.8 ms with the fixed 10 ms window; with this rule 3.4 / 13.9-16.4 ms at 32,
 * 2.5 / 12.4-14.3 ms at 16, 2.2 / 12.6-14.5 ms at 8 (0.06 / 0.08 / 0.09 client commands per
 * firing): below 16 the tail (GC pauses, slow calls) dominates.
 */
export const CLAIM_WINDOW_TARGET_CLAIMS = 16;

/**
 * Schedules one fused pass ({@link Store.fireDueNow}) takes before their runs are dispatched.
 *
 * @remarks
 * A pass reads each schedule's entry, definition and handler, and its dispatch reads them again to
 * run and record it: with small passes the second read finds them still in cache. At 100k
 * schedules due together, passes of `batchSize` (1000) read each of them from memory twice.
 * Passes follow each other synchronously until `batchSize` schedules were taken, then the runner
 * yields to the event loop as before.
 */
export const FUSED_PASS_SIZE = 64;

/**
 * Longest wait between two attempts while the store fails.
 *
 * @remarks
 * A failing tick is retried after 100 ms, doubling up to this. At `pollMs` (30 s) a Redis that
 * was down for a minute was noticed up to 30 s after it answered again; one claim a second per
 * process is no load for a store that is down. (A store that says its connection is back wakes
 * the runner at once anyway.)
 */
export const STORE_RETRY_MAX_MS = 1_000;

/** The claim options of a runner whose commits take run slots: commit planned-ahead occurrences at once. */
const COMMIT_AHEAD: ClaimOptions = { commitAhead: true };

/** Dependencies and settings of the {@link Runner}. */
export interface RunnerOptions<H = unknown> {
  readonly store: Store;
  /** This process's owner id for claims. */
  readonly owner: string;
  readonly logger: Logger;
  /** Claim lease. */
  readonly leaseMs: number;
  /** Longest sleep between store checks. */
  readonly pollMs: number;
  /** Schedules claimed per round trip. @defaultValue `1000` */
  readonly batchSize?: number;
  /**
   * Wake at most once per this many ms, on a grid of the store's clock at a random offset drawn
   * for each tick, so one claim takes every schedule due within the window (fewer round trips per
   * firing on a shared store). Adds up to this much lateness; `0` wakes at each due time.
   * @defaultValue `0`
   */
  readonly claimWindowMs?: number;
  /** Random source of the grid offset, drawn per tick. @defaultValue `Math.random` */
  readonly random?: () => number;
  /**
   * Have each commit take the run slots of its occurrences (a shared store): `maxInstances`
   * across processes and a recoverable in-flight run, with no extra round trip per firing.
   * @defaultValue `false`
   */
  readonly commitSlots?: boolean;
  /** The pure misfire/coalesce policy (`planOccurrences`). */
  readonly plan: (input: PlanInput) => Plan;
  /** Ids that have no handler in this process; never claimed. */
  readonly exclude: ReadonlySet<string>;
  /** This process's handlers by job id (read only); a claimed id without one is given back. */
  readonly handlers: ReadonlyMap<string, H>;
  /**
   * Whether a handler found earlier is still the one registered for its id. When given, the
   * runner caches handlers by {@link Claim.slot} and probes `handlers` only on a miss (at 100k
   * schedules that probe was the costliest step of a fire: a cache miss per claim).
   */
  current?(handler: H): boolean;
  /** Claims given back because no handler is registered here. */
  onUnhandled(ids: readonly string[]): void;
  /**
   * Runs one accepted occurrence (`nextRunAt` is the schedule's next fire time, for jitter
   * clamping) with the handler the runner looked up at claim time: one map probe per claim, which
   * matters at 100k schedules where each probe is a cache miss.
   */
  dispatch(definition: ScheduleDefinition, scheduledAt: number, nextRunAt: number | null, handler: H, run?: CommittedRun): void;
  /**
   * Wraps the dispatch of one committed batch (every {@link RunnerOptions.dispatch} of it happens
   * inside `dispatch`): the run lifecycle writes the history of the whole batch in one store call.
   * @defaultValue calls `dispatch`
   */
  batch?(dispatch: () => void): void;
  /** Occurrences the policy dropped: how many, and the oldest and newest of them (epoch ms). */
  onMissed(definition: ScheduleDefinition, count: number, nextRunAt: number | null, missed: MissedRange): void;
  /**
   * The outcome of each store call: `claim` (claims, releases and wakeup reads) or `commit`, with
   * the error, or `null` when it succeeded.
   */
  onHealth(source: 'claim' | 'commit', error: unknown): void;
  /** Every claim batch, as the store returned it (the scheduler watches its generation). */
  onBatch?(batch: Omit<ClaimBatch, 'nextWakeup'>): void;
  /**
   * Called with `true` when a claim on a shared store came back full (a burst: more is due now)
   * and with `false` once the tick's claims are done or failed; the scheduler holds the finish
   * queue meanwhile, so the burst's claims are not queued behind its finishes in the store.
   */
  onBurst?(active: boolean): void;
}

/**
 * The single scheduling loop of a scheduler instance.
 *
 * @example
 * ```ts
 * const runner = new Runner({ store, owner, logger, leaseMs: 30_000, pollMs: 30_000, plan: planOccurrences, ... });
 * runner.start();
 * await runner.stop();
 * ```
 */
export class Runner<H = unknown> {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Infinity;
  private ticking: Promise<void> | undefined;
  private again = false;
  private started = false;
  private stopped = false;
  private failures = 0;
  private skewMs = 0;
  private unsubscribe: (() => void) | undefined;
  private readonly batchSize: number;
  private readonly windowMs: number;
  /** Random source of each tick's offset on the `claimWindowMs` grid (see {@link Runner.alignToWindow}). */
  private readonly random: () => number;
  /** Store time at which the current tick started. */
  private tickStartedAt = 0;
  /** Schedules claimed by the current tick (see {@link CLAIM_WINDOW_TARGET_CLAIMS}). */
  private tickClaims = 0;
  /** Store time of the previous tick's first claim, and the time since it at this tick's. */
  private lastClaimAt = 0;
  private tickCoveredMs = 0;
  /** Per-batch scratch of {@link Runner.process}: the claimed schedules and their handlers. */
  private readonly claimedBuffer: StoredSchedule[] = [];
  private readonly foundBuffer: H[] = [];
  /** The missed range of each commit item that dropped occurrences (rare: no cost to the others). */
  private readonly missedRanges = new WeakMap<CommitItem, MissedRange>();
  /** The last commit that failed (maybe applied unanswered), with its schedules and handlers. */
  private unanswered: { items: readonly CommitItem[]; schedules: StoredSchedule[]; handlers: H[] } | undefined;
  /** Handlers by claim slot: `[id, handler]` at `2 * slot` (see {@link RunnerOptions.current}). */
  private readonly bySlot: unknown[] = [];
  /** Where {@link Runner.gatherDue} leaves what it read, so the reads are not optimised away. */
  private gathered = 0;
  /** Slot requests by policy object (policies are interned, so this stays small). */
  private readonly slotRequests = new WeakMap<object, CommitSlots>();
  /** The fused path's visitor ({@link Store.fireDueNow}), and what a pass recorded, by position. */
  private readonly visitor: DueVisitor;
  private firedCount = 0;
  private readonly firedDefinitions: (ScheduleDefinition | undefined)[] = [];
  private readonly firedHandlers: (H | undefined)[] = [];
  private readonly firedPlans: (Plan | undefined)[] = [];
  private readonly firedAccepted: (readonly number[] | undefined)[] = [];
  /** Missed ranges of a pass's plans that dropped occurrences without one, by position (rare). */
  private readonly firedMissed = new Map<number, MissedRange>();
  /** The last plan of a batch and what it was planned from, while it may serve the next schedule too (see {@link Runner.planBurst}). */
  private readonly passInput: { -readonly [K in keyof PlanInput]: PlanInput[K] } = { trigger: { type: 'interval', everyMs: 1 }, policy: undefined as unknown as PlanInput['policy'], nextRunAt: 0, state: { anchor: 0, runs: 0 }, now: 0 };
  private passMemo: Plan | undefined;
  private passAnchor = NaN;
  /**
   * The plans made ahead (see `plan-ahead.ts`) per trigger object (triggers and policies are
   * interned), for the last policy, anchor and next run they were made for: they depend on
   * nothing else, so a burst of alike schedules makes them once, whichever tick commits them.
   */
  private readonly aheadPlans = new WeakMap<object, AheadPlans>();
  /** The turn of the next plan made ahead's length (see `aheadLength`). */
  private aheadTurn = 0;
  /** Whether {@link RunnerOptions.onBurst} was last told `true`. */
  private bursting = false;

  constructor(private readonly options: RunnerOptions<H>) {
    this.batchSize = options.batchSize ?? 1000;
    const window = options.claimWindowMs ?? 0;
    this.windowMs = Number.isFinite(window) && window > 0 ? window : 0;
    this.random = options.random ?? Math.random;
    this.visitor = {
      plan: (definition, nextRunAt, state, slot, now) => this.planDue(definition, nextRunAt, state, slot, now),
      committed: (accepted) => this.committedDue(accepted),
      gather: (slots, count) => this.gatherDue(slots, count),
    };
  }

  private slotsFor(policy: StoredSchedule['definition']['policy']): CommitSlots {
    let request = this.slotRequests.get(policy);
    if (request === undefined) {
      request = { max: policy.maxInstances, leaseMs: this.options.leaseMs };
      this.slotRequests.set(policy, request);
    }
    return request;
  }

  /** Starts claiming (call once every handler is registered). */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.unsubscribe = this.options.store.onChange((change) => this.onHint(change));
    this.schedule(0);
  }

  /** Asks for a tick as soon as possible (after the current one). */
  wake(): void {
    if (!this.started || this.stopped) return;
    if (this.ticking !== undefined) this.again = true;
    else this.schedule(0);
  }

  /** Stops claiming and waits for the tick in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  private onHint(change: StoreChange): void {
    // Our own commits and releases never bring the wakeup earlier than what the tick computes.
    if (change.kind === 'commit' || change.kind === 'release') return;
    this.wake();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    const delay = Math.max(0, Math.min(delayMs, this.options.pollMs, MAX_TIMER_MS));
    const at = Date.now() + delay;
    if (this.timer !== undefined) {
      if (this.timerAt <= at) return;
      clearTimeout(this.timer);
    }
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.ticking = this.tick().finally(() => {
        this.ticking = undefined;
      });
    }, delay);
  }

  private async tick(): Promise<void> {
    this.again = false;
    this.tickStartedAt = Date.now() + this.skewMs;
    this.tickClaims = 0;
    let delay: number;
    try {
      const wakeAt = await this.claimRounds();
      if (this.stopped) return;
      delay = wakeAt === null ? this.options.pollMs : this.alignToWindow(wakeAt) - (Date.now() + this.skewMs);
      this.failures = 0;
    } catch (error) {
      this.failures += 1;
      delay = Math.min(this.options.pollMs, STORE_RETRY_MAX_MS, 100 * 2 ** Math.min(this.failures - 1, 16));
      // Logged by the health tracker, once per cause; every retry here would repeat it.
      this.options.logger.debug({ err: error, retryInMs: delay }, 'scheduler store failed; retrying');
    } finally {
      this.burst(false);
    }
    if (this.again) delay = 0;
    this.schedule(delay);
  }

  /**
   * The first point of a grid (`offset + k * step`, store clock) at or after `wakeAt` and at
   * least half a step after this tick started: one tick per grid point, even when the skew
   * estimate is a little off. The step is the window, shortened under load (see
   * {@link CLAIM_WINDOW_TARGET_CLAIMS}); the offset is drawn anew for every tick.
   *
   * @remarks
   * A fresh offset per tick is what makes processes sharing a store take turns. With one offset
   * per process for its lifetime, schedules due on the grid's step (whole seconds, cron, phases a
   * multiple of 10 ms apart) were claimed by the process with the smallest offset every time;
   * another took work only when that one woke late (measured: two schedulers on one Redis, 20
   * jobs every 200 ms, 10 ms apart, 3 s: 187/38, 34/199, 27/212, 32/210 firings; under CPU load
   * the loser got none for seconds).
   */
  private alignToWindow(wakeAt: number): number {
    let step = this.windowMs;
    if (step === 0) return wakeAt;
    if (this.tickClaims > 0 && this.tickCoveredMs > 0) {
      step = Math.min(step, Math.max(1, (CLAIM_WINDOW_TARGET_CLAIMS * this.tickCoveredMs) / this.tickClaims));
    }
    const offset = Math.floor(this.random() * step);
    const from = Math.max(wakeAt, this.tickStartedAt + step / 2);
    return Math.ceil((from - offset) / step) * step + offset;
  }

  /** Claims, commits and dispatches until a batch comes back short; returns the next wakeup (store clock). */
  private async claimRounds(): Promise<number | null> {
    const { store, exclude } = this.options;
    const resent = await this.resendUnanswered();
    const fused = store.fireDueNow !== undefined && this.options.commitSlots !== true;
    // One burst plan serves every pass of this tick (passes are small: see FUSED_PASS_SIZE).
    this.passMemo = undefined;
    /** Schedules the fused passes took since the last yield to the event loop. */
    let round = 0;
    while (!this.stopped) {
      if (fused) {
        const limit = Math.min(FUSED_PASS_SIZE, this.batchSize - round);
        const fired = this.firePass(limit);
        this.countClaims(fired.now, fired.taken);
        if (fired.unhandled !== undefined) this.options.onUnhandled(fired.unhandled);
        if (fired.taken < limit) return earliestOf(fired.nextWakeup, resent);
        round += fired.taken;
        if (round < this.batchSize) continue;
        round = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      const batch = await this.reported('claim', () => this.claim());
      this.options.onBatch?.(batch);
      const committed = batch.committed;
      const taken = batch.claims.length + (committed?.length ?? 0);
      this.countClaims(batch.now, taken);
      // Held from here, before this batch's runs are dispatched and its claims committed: their
      // finishes would otherwise go to the store ahead of the commit and the next claim.
      if (taken >= this.batchSize) this.burst(true);
      if (committed !== undefined && committed.length > 0) this.dispatchAhead(committed);
      let wakeAt = batch.nextWakeup;
      const committedNext = batch.claims.length > 0 ? await this.process(batch.claims, batch.now) : null;
      if (wakeAt !== undefined) wakeAt = earliestOf(earliestOf(wakeAt, committedNext), resent);
      if (taken < this.batchSize) return wakeAt === undefined ? this.reported('claim', () => store.nextWakeup(exclude)) : wakeAt;
      // Let dispatched runs start before the next batch.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return null;
  }

  /** Tells {@link RunnerOptions.onBurst} when a burst starts and ends. */
  private burst(active: boolean): void {
    if (active === this.bursting) return;
    this.bursting = active;
    this.options.onBurst?.(active);
  }

  /** Notes the store clock and the schedules one claim took (see {@link CLAIM_WINDOW_TARGET_CLAIMS}). */
  private countClaims(now: number, claims: number): void {
    this.skewMs = now - Date.now();
    if (this.tickClaims === 0) {
      this.tickCoveredMs = this.lastClaimAt > 0 ? now - this.lastClaimAt : 0;
      this.lastClaimAt = now;
    }
    this.tickClaims += claims;
  }

  /**
   * One pass of the fused path: the store claims, plans (through {@link Runner.planDue}) and
   * commits the due schedules at once, then the accepted occurrences are dispatched. What a pass
   * committed is dispatched even when it failed part way; the failure is then reported and thrown.
   */
  private firePass(limit: number): FiredBatch {
    const { store, owner, leaseMs, exclude } = this.options;
    this.firedCount = 0;
    let fired: FiredBatch;
    try {
      fired = store.fireDueNow!(owner, leaseMs, limit, exclude, this.visitor);
    } catch (error) {
      this.dispatchFired();
      this.options.onHealth('claim', error);
      throw error;
    }
    this.options.onHealth('claim', null);
    this.options.onHealth('commit', null);
    this.dispatchFired();
    return fired;
  }

  /**
   * {@link DueVisitor.gather} of the fused path: reads the cached handler of every schedule of the
   * pass at once (their cache misses overlap), before {@link Runner.planDue} reads them one by one.
   */
  private gatherDue(slots: Int32Array, count: number): void {
    const current = this.options.current;
    if (current === undefined) return;
    const cache = this.bySlot;
    let live = 0;
    for (let k = 0; k < count; k++) {
      const handler = cache[2 * (slots[k] as number) + 1] as H | undefined;
      if (handler !== undefined && current(handler)) live++;
    }
    this.gathered = live;
  }

  /** {@link DueVisitor.plan} of the fused path: the handler, then the plan (one per burst of alike schedules). */
  private planDue(definition: ScheduleDefinition, nextRunAt: number, state: TriggerState, slot: number, now: number): Plan | null {
    const handler = this.handlerOf(slot, definition.id, this.options.handlers);
    if (handler === undefined) return null;
    const plan = this.planBurst(definition, Number.isNaN(nextRunAt) ? null : nextRunAt, state, now);
    const k = this.firedCount;
    this.firedDefinitions[k] = definition;
    this.firedHandlers[k] = handler;
    this.firedPlans[k] = plan;
    if (plan.missedCount > 0 && plan.missed === undefined) this.firedMissed.set(k, { first: nextRunAt, last: nextRunAt });
    return plan;
  }

  /**
   * The plan of one due schedule. A burst (the same interned trigger and policy due at the same
   * time, with the same anchor) plans the same, so one plan serves them all until
   * {@link Runner.passMemo} is reset (its arrays are read, never written, downstream); a run limit
   * makes plans differ by runs, so those are never shared. `state` is read during the call only
   * (the policy is pure and keeps no reference).
   */
  private planBurst(definition: ScheduleDefinition, nextRunAt: number | null, state: TriggerState, now: number): Plan {
    if (nextRunAt === null) return { fire: [], missedCount: 0, nextRunAt: null };
    const input = this.passInput;
    if (this.passMemo !== undefined && definition.trigger === input.trigger && definition.policy === input.policy && nextRunAt === input.nextRunAt && state.anchor === this.passAnchor && now === input.now) {
      return this.passMemo;
    }
    input.trigger = definition.trigger;
    input.policy = definition.policy;
    input.nextRunAt = nextRunAt;
    input.state = state;
    input.now = now;
    this.passAnchor = state.anchor;
    const plan = this.options.plan(input);
    this.passMemo = definition.trigger.type !== 'date' && definition.trigger.maxRuns !== undefined ? undefined : plan;
    return plan;
  }

  /** {@link DueVisitor.committed} of the fused path: the occurrences of the plan just returned. */
  private committedDue(accepted: readonly number[]): void {
    this.firedAccepted[this.firedCount++] = accepted;
  }

  /** Dispatches what the last fused pass committed (see {@link Runner.dispatchEach}). */
  private dispatchFired(): void {
    const n = this.firedCount;
    this.firedCount = 0;
    if (n === 0) return;
    const each = (): void => {
      for (let k = 0; k < n; k++) {
        const definition = this.firedDefinitions[k]!;
        const plan = this.firedPlans[k]!;
        if (plan.missedCount > 0) this.options.onMissed(definition, plan.missedCount, plan.nextRunAt, plan.missed ?? this.firedMissed.get(k)!);
        const handler = this.firedHandlers[k]!;
        const accepted = this.firedAccepted[k]!;
        // Nothing of this pass stays reachable from here (a removed job's handler, say).
        this.firedDefinitions[k] = undefined;
        this.firedHandlers[k] = undefined;
        this.firedPlans[k] = undefined;
        this.firedAccepted[k] = undefined;
        for (let i = 0; i < accepted.length; i++) this.options.dispatch(definition, accepted[i]!, plan.nextRunAt, handler);
      }
    };
    const { batch } = this.options;
    if (batch === undefined) each();
    else batch(each);
    this.firedMissed.clear();
  }

  /** Runs a store call, reporting its outcome under `source` (see {@link RunnerOptions.onHealth}). */
  private async reported<T>(source: 'claim' | 'commit', call: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await call();
    } catch (error) {
      this.options.onHealth(source, error);
      throw error;
    }
    this.options.onHealth(source, null);
    return result;
  }

  /**
   * One claim: `claimBatch` when the store has it; else `claimDue`, plus `now()` when something
   * was claimed (`nextWakeup` undefined: ask the store after the commit).
   */
  private async claim(): Promise<Omit<ClaimBatch, 'nextWakeup'> & { readonly nextWakeup: number | null | undefined }> {
    const { store, owner, leaseMs, exclude } = this.options;
    if (store.claimBatch !== undefined) {
      return this.options.commitSlots === true ? store.claimBatch(owner, leaseMs, this.batchSize, exclude, COMMIT_AHEAD) : store.claimBatch(owner, leaseMs, this.batchSize, exclude);
    }
    const claims = await store.claimDue(owner, leaseMs, this.batchSize, exclude);
    return { claims, now: claims.length === 0 ? Date.now() + this.skewMs : await store.now(), nextWakeup: undefined };
  }

  /** The handler for a claim: from the slot cache when it is still current, else from `handlers`. */
  private handlerOf(slot: number | undefined, id: string, handlers: ReadonlyMap<string, H>): H | undefined {
    const current = this.options.current;
    if (slot === undefined || current === undefined) return handlers.get(id);
    const cache = this.bySlot;
    const at = 2 * slot;
    if (cache[at] === id) {
      const cached = cache[at + 1] as H;
      if (current(cached)) return cached;
    }
    const handler = handlers.get(id);
    if (handler !== undefined) {
      while (cache.length < at) cache.push(undefined, undefined);
      cache[at] = id;
      cache[at + 1] = handler;
    }
    return handler;
  }

  /** Plans, commits and dispatches one batch; returns the earliest next run it committed, or `null`. */
  private async process(claims: readonly Claim[], now: number): Promise<number | null> {
    const { store, owner } = this.options;
    // Sized once (no growth by push); `claimed` and `found` are reused from tick to tick (ticks
    // never overlap), which at 100k fires a second saves ~150 bytes of garbage per fire.
    const items: CommitItem[] = new Array<CommitItem>(claims.length);
    const claimed = this.claimedBuffer;
    const found = this.foundBuffer;
    let count = 0;
    let unhandled: Claim[] | undefined;
    const handlers = this.options.handlers;
    this.passMemo = undefined;
    for (const claim of claims) {
      const { definition, state } = claim.schedule;
      const handler = this.handlerOf(claim.slot, definition.id, handlers);
      if (handler === undefined) {
        (unhandled ??= []).push(claim);
        continue;
      }
      const plan = this.planBurst(definition, state.nextRunAt, state, now);
      const ahead = this.options.commitSlots === true && plan.fire.length > 0 ? this.aheadOf(definition, plan, state) : undefined;
      items[count] = this.options.commitSlots === true && plan.fire.length > 0
        ? ahead === undefined
          ? { id: definition.id, token: claim.token, fire: plan.fire, missedCount: plan.missedCount, nextRunAt: plan.nextRunAt, slots: this.slotsFor(definition.policy) }
          : { id: definition.id, token: claim.token, fire: plan.fire, missedCount: plan.missedCount, nextRunAt: plan.nextRunAt, slots: this.slotsFor(definition.policy), ahead }
        : { id: definition.id, token: claim.token, fire: plan.fire, missedCount: plan.missedCount, nextRunAt: plan.nextRunAt };
      if (plan.missed !== undefined) this.missedRanges.set(items[count]!, plan.missed);
      claimed[count] = claim.schedule;
      found[count] = handler;
      count++;
    }
    items.length = count;
    if (unhandled !== undefined) {
      const ids = unhandled.map((c) => c.schedule.definition.id);
      await this.reported('claim', () => store.release(owner, unhandled.map((c) => ({ id: c.schedule.definition.id, token: c.token }))));
      this.options.onUnhandled(ids);
    }
    if (count === 0) return null;
    try {
      let results: CommitResult[];
      try {
        results = await this.reported('commit', () => store.commit(owner, items));
      } catch (error) {
        // It may have been applied with its answer lost: sent again first thing next tick.
        this.unanswered = { items, schedules: claimed.slice(0, count), handlers: found.slice(0, count) };
        throw error;
      }
      return this.dispatchCommitted(items, claimed, found, results);
    } finally {
      // Drop the references: nothing of this batch stays reachable until the next tick.
      claimed.length = 0;
      found.length = 0;
    }
  }

  /**
   * The plans made ahead after `plan` (see `plan-ahead.ts`), made once per trigger, policy, anchor
   * and next run, each commit taking as many of them as its turn says (`aheadLength`).
   */
  private aheadOf(definition: ScheduleDefinition, plan: Plan, state: TriggerState): AheadPlan | undefined {
    const { trigger, policy } = definition;
    if (plan.nextRunAt === null || trigger.type === 'date' || trigger.maxRuns !== undefined) return undefined;
    let cached = this.aheadPlans.get(trigger);
    if (cached === undefined || cached.policy !== policy || cached.anchor !== state.anchor || cached.nextRunAt !== plan.nextRunAt) {
      cached = { policy, anchor: state.anchor, nextRunAt: plan.nextRunAt, ahead: planAhead(this.options.plan, definition, plan, state), shorter: [] };
      this.aheadPlans.set(trigger, cached);
    }
    const ahead = cached.ahead;
    const length = aheadLength(this.aheadTurn++);
    if (ahead === undefined || ahead.occurrences.length <= length) return ahead;
    return (cached.shorter[length] ??= { graceMs: ahead.graceMs, occurrences: ahead.occurrences.slice(0, length), catchUp: ahead.catchUp });
  }

  /** Dispatches what a claim committed at once from plans made ahead (see `Store.claimBatch`). */
  private dispatchAhead(committed: readonly CommittedAhead[]): void {
    const each = (): void => {
      const handlers = this.options.handlers;
      for (const c of committed) {
        const handler = handlers.get(c.definition.id);
        // Excluded from claims, so only a handler removed since the claim: its slot lapses and is reaped.
        if (c.missed !== undefined) this.options.onMissed(c.definition, c.missedCount, c.nextRunAt, c.missed);
        if (handler !== undefined) this.options.dispatch(c.definition, c.scheduledAt, c.nextRunAt, handler, c.run);
      }
    };
    const { batch } = this.options;
    if (batch === undefined) each();
    else batch(each);
  }

  /**
   * Sends again the last commit that failed, before claiming anything: if it was applied with its
   * answer lost, the store answers with the runs it recorded (see `Store.commit`), which run now
   * instead of lapsing into a recovery; if it was not, it is applied now or refused as stale. It
   * is dropped once answered, and kept while the store keeps failing.
   */
  private async resendUnanswered(): Promise<number | null> {
    const pending = this.unanswered;
    if (pending === undefined) return null;
    const results = await this.reported('commit', () => this.options.store.commit(this.options.owner, pending.items));
    this.unanswered = undefined;
    return this.dispatchCommitted(pending.items, pending.schedules, pending.handlers, results);
  }

  /** Dispatches what a commit accepted; returns the earliest next run it committed, or `null`. */
  private dispatchCommitted(items: readonly CommitItem[], claimed: readonly StoredSchedule[], found: readonly H[], results: readonly CommitResult[]): number | null {
    const { batch } = this.options;
    if (batch === undefined) return this.dispatchEach(items, claimed, found, results);
    let earliest: number | null = null;
    batch(() => {
      earliest = this.dispatchEach(items, claimed, found, results);
    });
    return earliest;
  }

  /** The loop of {@link Runner.dispatchCommitted}: each accepted occurrence to `dispatch`. */
  private dispatchEach(items: readonly CommitItem[], claimed: readonly StoredSchedule[], found: readonly H[], results: readonly CommitResult[]): number | null {
    let earliest = Infinity;
    for (let i = 0; i < results.length; i++) {
      const result = results[i]!;
      const schedule = claimed[i]!;
      const plan = items[i]!;
      if (!result.ok) {
        this.options.logger.debug({ job: result.id, reason: result.reason }, 'commit refused; another process holds the schedule');
        continue;
      }
      if (plan.nextRunAt !== null && plan.nextRunAt < earliest) earliest = plan.nextRunAt;
      if (plan.missedCount > 0) {
        const range = this.missedRanges.get(plan) ?? { first: schedule.state.nextRunAt ?? 0, last: schedule.state.nextRunAt ?? 0 };
        this.options.onMissed(schedule.definition, plan.missedCount, plan.nextRunAt, range);
      }
      const handler = found[i]!;
      const runs = result.runs;
      const accepted = result.accepted;
      for (let k = 0; k < accepted.length; k++) this.options.dispatch(schedule.definition, accepted[k]!, plan.nextRunAt, handler, runs?.[k]);
    }
    return earliest === Infinity ? null : earliest;
  }
}

/**
 * The plans made ahead for one trigger object (see {@link Runner.aheadOf}): for the policy, anchor
 * and next run they were made for, the whole plan and its shorter prefixes by length.
 */
interface AheadPlans {
  readonly policy: object;
  readonly anchor: number;
  readonly nextRunAt: number;
  readonly ahead: AheadPlan | undefined;
  readonly shorter: AheadPlan[];
}

/** The earlier of two times, `null` meaning none. */
function earliestOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  return b === null ? a : Math.min(a, b);
}
