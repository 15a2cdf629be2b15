/**
 * The finish side of runs on a shared store, batched: slot releases and run records go to the
 * store in one `finishRuns` call per batch instead of two commands per run.
 *
 * @remarks
 * A batch is sent `flushMs` after its first entry, but no sooner than `minIntervalMs` after the
 * previous call, or at once when it reaches `maxBatch`: a run that finishes after a quiet spell
 * frees its slot at once, while at high rates (1k runs a second) one call carries the runs of
 * several runner ticks instead of one call per tick. A backlog (a burst's runs) goes in calls of
 * up to `maxBacklogBatch`. A batch
 * that fails (Redis restarting) stays at the head of the queue and is retried with exponential
 * backoff until the store answers: a slot release is never dropped while the store is down, so
 * the run's slot does not lapse into a recovery of a finished run (the store's two-pass reaping
 * gives the retry one lease after the store is back). A failed call may have been applied with
 * its answer lost, so the retry says `retry: true` and the store skips records it already holds
 * (no run appears twice in history). The queue is bounded: past `maxQueued`
 * entries the oldest are dropped with a warning (their slots lapse and are reaped).
 *
 * While the runner claims a burst (its claims keep coming back full, see {@link FinishQueue.hold}),
 * nothing is sent for up to `maxHoldMs`: a store runs one script at a time, and a `finishRuns`
 * call sent between two claims made the next claim wait for it, so the finishes of a burst's
 * first batches delayed its last ones (every claim of a 10k burst in one process waited behind a
 * finish of ~1000 runs). Held, the burst's claims run back to back and its finishes follow.
 */
import type { Logger } from 'pino';
import type { FinishedRun, Store } from '../stores/store.js';

/**
 * Default {@link FinishQueueOptions.minIntervalMs}.
 *
 * @remarks
 * At 1k runs a second a runner tick finishes a few runs every 10 ms (its claim window), and with
 * no interval each tick paid its own `finishRuns`. Measured with `bench/redis.mjs --jobs 1000
 * --only xcore` (client commands per firing, 1 / 2 / 3 processes): 0.13 / 0.41 / 0.78 with none,
 * 0.14 / 0.28 / 0.47 with 25 ms; p99 lateness unchanged. 25 ms is short next to a job's period
 * and to the 30 s slot lease.
 */
export const FINISH_MIN_INTERVAL_MS = 25;

/**
 * Default {@link FinishQueueOptions.maxBatch}.
 *
 * @remarks
 * One `finishRuns` is one Lua script, and Redis runs nothing else meanwhile: at 10k runs a second
 * a 25 ms batch of ~250 runs held Redis for 3-9 ms, and the runner's claim and commit waited
 * behind it (the p99 lateness tail). 128 runs take about 0.7 ms of Redis time, and at 10k runs a
 * second cost under 0.01 client commands per firing.
 */
export const FINISH_MAX_BATCH = 128;

/**
 * Default {@link FinishQueueOptions.maxBacklogBatch}.
 *
 * @remarks
 * A burst (every schedule due at the same second) finishes thousands of runs at once; at 128 per
 * call, one call in flight, the queue drained at 128 runs per round trip, and under load (a round
 * trip of 100 ms behind the burst's claims and commits) that was about 1,300 runs a second for
 * 10k runs due each second: slots stayed held past the next occurrence, which was skipped
 * (`maxInstances`), and every skip queued one more record. 1024 runs hold Redis for about as
 * long as a claim of 1000 schedules does.
 */
export const FINISH_MAX_BACKLOG_BATCH = 1024;

/**
 * Default {@link FinishQueueOptions.maxHoldMs}.
 *
 * @remarks
 * The claims of a burst of 10k due schedules took about 240 ms in one process on a 2-vCPU
 * machine; at 30k across three processes, p99 lateness was about 750 ms, so the bound ends the
 * hold before the claims do. It keeps a burst's finishes (about 8 µs of Redis time per run) done
 * well before a next occurrence one second later, which would be skipped (`maxInstances`) while
 * its slot is held, and keeps short the window in which a killed process leaves finished runs to
 * be recovered.
 */
export const FINISH_MAX_HOLD_MS = 500;

/** Options of {@link FinishQueue}. */
export interface FinishQueueOptions {
  readonly store: Store;
  readonly logger: Logger;
  /**
   * Delay between the first entry of a batch and its flush. The default sends at once (after the
   * current macrotask, so runs finished in one tick share a call) unless the previous call
   * started less than `minIntervalMs` ago; entries finished while a call is in flight form the
   * next batch. Keep it small: a process killed between a run's end and
   * its flush leaves a slot that `recover: true` re-runs (at least once).
   * @defaultValue `0`
   */
  readonly flushMs?: number;
  /**
   * Least time between the starts of two `finishRuns` calls (while runs keep finishing). A run
   * finishing sooner after the previous call waits for the rest of the interval, so its slot is
   * freed up to this much later: another process then sees `maxInstances` reached for that long
   * (this process's queued occurrences do not wait: {@link FinishQueue.whenWritten} flushes at
   * once), and a process killed meanwhile leaves the slot to be reaped, re-run with `recover: true`.
   * @defaultValue {@link FINISH_MIN_INTERVAL_MS}
   */
  readonly minIntervalMs?: number;
  /**
   * Entries per `finishRuns` call; a full batch is sent at once.
   * @defaultValue {@link FINISH_MAX_BATCH}
   */
  readonly maxBatch?: number;
  /**
   * Entries per call while a backlog waits (more than twice `maxBatch` queued): a burst of
   * finished runs drains in a few large calls instead of many round trips of `maxBatch`.
   * @defaultValue {@link FINISH_MAX_BACKLOG_BATCH}
   */
  readonly maxBacklogBatch?: number;
  /**
   * Longest time finished runs wait while {@link FinishQueue.hold} is on (see the module doc).
   * @defaultValue {@link FINISH_MAX_HOLD_MS}
   */
  readonly maxHoldMs?: number;
  /** Entries kept while the store is unreachable; older ones are dropped. @defaultValue `100000` */
  readonly maxQueued?: number;
  /** Longest retry delay. @defaultValue `1000` */
  readonly maxRetryMs?: number;
  /** Called with each failure, and with `null` when a call succeeds after failures (health). */
  readonly onHealth: (error: unknown) => void;
  /** Called once per entry when it has been written or dropped. */
  readonly onSettled: (count: number) => void;
}

/**
 * A bounded, retrying batcher of {@link FinishedRun}s.
 *
 * @example
 * ```ts
 * const finished = new FinishQueue({ store, logger, onHealth, onSettled: (n) => inflight -= n });
 * finished.push({ slot: { jobId, runId }, record, historyLimit: 100 });
 * ```
 */
export class FinishQueue {
  private queue: FinishedRun[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushing = false;
  private failures = 0;
  private closed = false;
  /** Entries pushed, and entries written or dropped, since construction. */
  private pushed = 0;
  private done = 0;
  private waiters: { readonly target: number; readonly resolve: () => void }[] = [];
  private readonly flushMs: number;
  private readonly minIntervalMs: number;
  /** `Date.now()` when the latest `finishRuns` call started. */
  private lastFlushAt = -Infinity;
  private readonly maxBatch: number;
  private readonly maxBacklogBatch: number;
  private readonly maxQueued: number;
  private readonly maxRetryMs: number;
  private readonly maxHoldMs: number;
  /** `Date.now()` until which flushes wait (a burst is being claimed), or `undefined`. */
  private heldUntil: number | undefined;

  constructor(private readonly options: FinishQueueOptions) {
    this.flushMs = options.flushMs ?? 0;
    this.minIntervalMs = options.minIntervalMs ?? FINISH_MIN_INTERVAL_MS;
    this.maxBatch = options.maxBatch ?? FINISH_MAX_BATCH;
    this.maxBacklogBatch = Math.max(this.maxBatch, options.maxBacklogBatch ?? FINISH_MAX_BACKLOG_BATCH);
    this.maxQueued = options.maxQueued ?? 100_000;
    this.maxRetryMs = options.maxRetryMs ?? 1000;
    this.maxHoldMs = options.maxHoldMs ?? FINISH_MAX_HOLD_MS;
  }

  /**
   * Holds flushes while `on` (the runner is claiming a burst: its last claim came back full), for
   * at most `maxHoldMs` from the first call with `true`; `false` sends what waits. See the
   * module doc.
   */
  hold(on: boolean): void {
    if (on) {
      this.heldUntil ??= Date.now() + this.maxHoldMs;
      return;
    }
    if (this.heldUntil === undefined) return;
    this.heldUntil = undefined;
    if (this.queue.length > 0 && !this.flushing && this.failures === 0) this.arm(this.flushDelay());
  }

  /** True while some pushed entry is not written (or dropped) yet. */
  get pending(): boolean {
    return this.done < this.pushed;
  }

  /** Entries not written yet. */
  get size(): number {
    return this.queue.length;
  }

  /** Queues one finished run. */
  push(run: FinishedRun): void {
    this.pushed += 1;
    if (this.closed) {
      this.settle(1);
      return;
    }
    this.queue.push(run);
    if (this.queue.length > this.maxQueued) {
      const dropped = this.queue.splice(0, this.queue.length - this.maxQueued);
      this.options.logger.warn({ dropped: dropped.length, maxQueued: this.maxQueued }, 'store unreachable for long: dropped the oldest finished runs (their history records; their slots lapse and are reaped)');
      this.settle(dropped.length);
    }
    if (this.flushing || this.failures > 0) return;
    this.arm(this.flushDelay());
  }

  /** How long to wait before sending what is queued: see the module doc. */
  private flushDelay(): number {
    const now = Date.now();
    const held = this.heldUntil === undefined ? 0 : this.heldUntil - now;
    if (this.queue.length >= this.maxBatch) return Math.max(0, held);
    return Math.max(this.flushMs, this.lastFlushAt + this.minIntervalMs - now, held);
  }

  /**
   * Resolves once every entry pushed so far is written (or dropped), flushing now: a queued
   * occurrence waits for this before taking the slot a finished run frees.
   */
  whenWritten(): Promise<void> {
    if (this.done >= this.pushed) return Promise.resolve();
    this.flushSoon();
    return new Promise((resolve) => this.waiters.push({ target: this.pushed, resolve }));
  }

  private settle(count: number): void {
    this.done += count;
    this.options.onSettled(count);
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.target <= this.done);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.target > this.done);
    for (const w of ready) w.resolve();
  }

  /** Flushes now (used on shutdown), ending a {@link FinishQueue.hold}; retries keep their backoff. */
  flushSoon(): void {
    this.heldUntil = undefined;
    if (!this.flushing && this.failures === 0) this.arm(0);
  }

  /** Drops what is still queued (shutdown after the drain deadline) and stops retrying. */
  abandon(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const dropped = this.queue.length;
    this.queue = [];
    if (dropped > 0) {
      this.options.logger.warn({ dropped }, 'shutdown: finished runs not written to the store (their slots lapse and are reaped)');
      this.settle(dropped);
    }
  }

  private arm(delayMs: number): void {
    if (this.closed) return;
    if (this.timer !== undefined) {
      if (delayMs > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delayMs);
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.closed || this.queue.length === 0) return;
    if (this.heldUntil !== undefined && this.heldUntil > Date.now() && this.failures === 0) {
      this.arm(this.heldUntil - Date.now());
      return;
    }
    this.flushing = true;
    this.lastFlushAt = Date.now();
    const batch = this.queue.slice(0, this.queue.length > 2 * this.maxBatch ? this.maxBacklogBatch : this.maxBatch);
    // After a failure the store may have applied the failed call without answering: the retry
    // asks it not to append those records twice.
    const retry = this.failures > 0;
    let ok = false;
    try {
      await this.options.store.finishRuns(batch, retry ? { retry } : undefined);
      ok = true;
    } catch (error) {
      this.failures += 1;
      this.options.onHealth(error);
    } finally {
      this.flushing = false;
    }
    if (this.closed) return;
    if (ok) {
      // The bound may have dropped entries from the head meanwhile, some of this batch among them:
      // what is left of the batch is still at the head, and it was written.
      const at = this.queue.length === 0 ? -1 : batch.indexOf(this.queue[0] as FinishedRun);
      const sent = at < 0 ? 0 : batch.length - at;
      this.queue.splice(0, sent);
      if (this.failures > 0) this.options.onHealth(null);
      this.failures = 0;
      this.settle(sent);
      if (this.queue.length > 0) this.arm(this.flushDelay());
      return;
    }
    const delay = Math.min(this.maxRetryMs, 50 * 2 ** Math.min(this.failures - 1, 10));
    this.options.logger.debug({ retryInMs: delay, queued: this.queue.length }, 'finishing runs failed; retrying');
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delay);
  }
}
