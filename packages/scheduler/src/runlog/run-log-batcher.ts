/**
 * The write side every batching sink shares: a bounded queue, batches written off the caller's
 * path, retries with backoff while the backend is away, and an overflow policy that is counted and
 * logged. A backend supplies only `insert(batch)` and says which errors are worth retrying.
 *
 * @remarks
 * - `push` only enqueues: the first write to a batch is started from `setImmediate` or the
 *   `flushMs` timer, never from the caller's stack, so even serialising a batch is off its path.
 *   `pushRun` captures a finished run into a slot of the batcher's {@link RunLogRing} (columns in
 *   shared memory: no object per run is kept, nothing is serialised on the caller's loop) and
 *   queues the slot's number; the backend assembles and checks the record once, where it likes
 *   (the PostgreSQL sink: on its writer thread, reading the ring's memory). Records the check
 *   refuses are counted in `rejected` and logged. A slot is released when its run leaves the
 *   queue (stored, refused or dropped).
 * - One batch is written at a time, oldest records first. A full batch (`batchSize`) goes as soon
 *   as the caller's event loop is quiet (busy less than half of a 5 ms look), so that the
 *   backend's work (a writer thread, a database on the same machine) does not compete for the CPU
 *   with a burst of runs; held back at most `flushMs` per backlog (and never past half of
 *   `queueLimit`), after which the whole backlog goes without waiting. A partial batch waits at
 *   most `flushMs`; a flush or close never waits for a quiet loop.
 * - A failed write is retried with exponential backoff and jitter (`retryBaseMs` doubling up to
 *   `retryMaxMs`) for as long as the backend is away; records keep queueing meanwhile.
 * - Bounded: the queue and the batch being written hold at most `queueLimit` records. When a
 *   write would pass it, the **oldest** records not being written right now are dropped (the
 *   held batch's first records while it waits for a retry, else the queue's front), counted in
 *   `dropped` and logged at once, then in a summary at most every `dropLogIntervalMs`.
 * - An error `classify` calls `reject` (the data is refused; it would fail again) is narrowed down
 *   by halving the batch until the refused records are alone; they are counted in `rejected` and
 *   logged each, and the rest is written.
 */
import { performance } from 'node:perf_hooks';
import { retryDelay } from '../triggers/retry-delay.js';
import { RunLogOptionsInvalidError } from './run-log-errors.js';
import { RunLogQueue } from './run-log-queue.js';
import type { RunLogRecord } from './run-log-record.js';
import type { RunLogLogger, RunLogStats } from './run-log-sink.js';
import { assembleRunLogRecord, type RunLogInput } from './run-log-build.js';
import type { RunLogRecordProblem } from './run-log-check.js';
import { RunLogRing, type RunLogBatchItem } from './run-log-ring.js';

export { recordsOfBatch, type RunLogBatchItem } from './run-log-ring.js';

/** What a backend's insert may answer: items of the batch refused by the record check, not stored. */
export interface RunLogInsertResult {
  readonly refused: readonly RunLogRecordProblem[];
}

/** What the queue holds: a written record, or the ring slot of a queued run. */
type Queued = RunLogBatchItem;

/** Options of {@link RunLogBatcher}. */
export interface RunLogBatcherOptions {
  /**
   * Writes one batch; resolves once it is stored. Must ignore records whose `runId` is already
   * stored: a batch is written again when an answer was lost (a slot keeps its run id). A batch
   * may hold slots of `ring` (queued runs, `undefined` until the first): make records of it with
   * {@link recordsOfBatch} (or the same steps elsewhere, e.g. on a thread given `ring.shared`),
   * store the valid ones and answer the refused. The slots stay unchanged until it settles.
   */
  readonly insert: (items: readonly RunLogBatchItem[], ring: RunLogRing | undefined) => Promise<RunLogInsertResult | void>;
  /** Whether a failed write is retried (`retry`: the backend is away or busy) or its data refused (`reject`). @defaultValue always `retry` */
  readonly classify?: (error: unknown) => 'retry' | 'reject';
  /** Records per write, 1..10000. @defaultValue `500` */
  readonly batchSize?: number;
  /** Longest wait before a partial batch is written, ms (1..60000). @defaultValue `200` */
  readonly flushMs?: number;
  /** Most records held (queued or being written); greater than `batchSize`. @defaultValue `50000` */
  readonly queueLimit?: number;
  /** First retry delay, ms; doubles per failure. @defaultValue `100` */
  readonly retryBaseMs?: number;
  /** Longest retry delay, ms. @defaultValue `30000` (an outage is noticed within half a minute of its end) */
  readonly retryMaxMs?: number;
  /** Where drops, refusals and backend trouble are reported. @defaultValue silent (counters only) */
  readonly logger?: RunLogLogger;
  /** How log lines name the sink, e.g. `postgres run log`. */
  readonly name: string;
  /** Least time between two summaries of drops or failures, ms. @defaultValue `10000` */
  readonly logIntervalMs?: number;
  /** `Math.random`-like source for retry jitter. @defaultValue `Math.random` */
  readonly random?: () => number;
  /**
   * The share (0..1) of the time since its previous call that the caller's event loop was busy;
   * a full batch waits while it is at least one half (see the module remarks).
   * @defaultValue measured with `performance.eventLoopUtilization()`
   */
  readonly loopBusy?: () => number;
}

/** How long one look at the event loop lasts before a held-back full batch may go, ms. */
const QUIET_LOOK_MS = 5;
/** The busy share of a look at or above which a full batch stays held back. */
const BUSY_SHARE = 0.5;

/** A {@link RunLogBatcherOptions.loopBusy} on this thread's event loop. */
function eventLoopBusy(): () => number {
  let mark = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const share = performance.eventLoopUtilization(now, mark).utilization;
    mark = now;
    return share;
  };
}

interface Waiter {
  readonly target: number;
  readonly resolve: (done: boolean) => void;
}

const NO_LOGGER: RunLogLogger = { warn() {}, error() {} };

function whole(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) throw new RunLogOptionsInvalidError(name, `must be a whole number from ${min} to ${max}, found ${String(v)}`);
  return v;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A bounded, batching, retrying writer of run-log records (see the module remarks). */
export class RunLogBatcher {
  private readonly insert: RunLogBatcherOptions['insert'];
  private readonly classify: NonNullable<RunLogBatcherOptions['classify']>;
  private readonly logger: RunLogLogger;
  private readonly random: () => number;
  private readonly loopBusy: () => number;
  /** When the current backlog's full batches started being held back for a busy loop (0: not yet). */
  private holdingSince = 0;
  readonly batchSize: number;
  readonly flushMs: number;
  readonly queueLimit: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly logIntervalMs: number;
  private readonly name: string;

  private readonly queue: RunLogQueue<Queued>;
  /** Where queued runs are captured; made on the first {@link RunLogBatcher.pushRun}. */
  private ring: RunLogRing | undefined;
  /** The batch being written or waiting for a retry; `batchSeq` is its first item's sequence number. */
  private batch: Queued[] = [];
  private lastRefusalLog = 0;
  private refusedUnlogged = 0;
  private batchSeq = 0;
  private sending = false;
  private running = false;
  private drainOnce = false;
  private closed = false;
  private failures = 0;
  private waiters: Waiter[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private retryTimer: { timer: NodeJS.Timeout; wake: () => void } | undefined;
  private dropLog: { timer: NodeJS.Timeout; since: number } | undefined;
  private lastFailureLog = 0;
  private counters = { written: 0, dropped: 0, rejected: 0, failedBatches: 0 };
  private lastError: string | null = null;

  constructor(options: RunLogBatcherOptions) {
    this.insert = options.insert;
    this.classify = options.classify ?? (() => 'retry');
    this.logger = options.logger ?? NO_LOGGER;
    this.random = options.random ?? Math.random;
    this.loopBusy = options.loopBusy ?? eventLoopBusy();
    this.name = options.name;
    this.batchSize = whole('batchSize', options.batchSize, 500, 1, 10_000);
    this.flushMs = whole('flushMs', options.flushMs, 200, 1, 60_000);
    this.queueLimit = whole('queueLimit', options.queueLimit, 50_000, this.batchSize + 1, 10_000_000);
    this.retryBaseMs = whole('retryBaseMs', options.retryBaseMs, 100, 1, 3_600_000);
    this.retryMaxMs = whole('retryMaxMs', options.retryMaxMs, 30_000, this.retryBaseMs, 3_600_000);
    this.logIntervalMs = whole('logIntervalMs', options.logIntervalMs, 10_000, 1, 3_600_000);
    this.queue = new RunLogQueue<Queued>(this.queueLimit);
  }

  /** Queues one (already validated) record; never waits, never throws for backend trouble. */
  push(record: RunLogRecord): void {
    this.makeRoom();
    this.enqueued(record);
  }

  /**
   * Captures a finished run into the ring (its objects are read now) and queues it; its record is
   * made (and checked) by the backend when its batch is written. Never waits, never throws for
   * backend trouble.
   */
  pushRun(input: RunLogInput): void {
    this.makeRoom();
    this.enqueued((this.ring ??= new RunLogRing(this.queueLimit)).write(input));
  }

  private makeRoom(): void {
    if (this.queue.length + this.batch.length >= this.queueLimit) this.dropOldest();
  }

  /** Gives the ring slots of items that left the queue (stored, refused, dropped) back. */
  private left(items: readonly Queued[], from = 0, to = items.length): void {
    for (let i = from; i < to; i++) {
      const item = items[i];
      if (typeof item === 'number') this.ring!.release(item);
    }
  }

  private enqueued(item: Queued): void {
    this.queue.push(item);
    if (this.running) return;
    if (this.queue.length >= this.batchSize) {
      this.immediate ??= setImmediate(() => {
        this.immediate = undefined;
        void this.pump();
      });
    } else {
      this.armFlushTimer();
    }
  }

  /** See {@link RunLogSink.flush}. */
  flush(timeoutMs?: number): Promise<boolean> {
    const target = this.queue.frontSeq + this.queue.length - 1;
    if (this.oldestPending() > target) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        target,
        resolve: (done) => {
          if (timer !== undefined) clearTimeout(timer);
          resolve(done);
        },
      };
      this.waiters.push(waiter);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(false);
        }, Math.max(0, timeoutMs));
      }
      this.retryTimer?.wake();
      void this.pump();
    });
  }

  /**
   * Flushes until `timeoutMs`, then drops what is left (counted, logged) and stops every timer.
   * A write still in flight at the deadline is not waited for; its result is still counted.
   */
  async close(timeoutMs: number): Promise<void> {
    if (this.closed) return;
    const done = await this.flush(timeoutMs);
    this.closed = true;
    if (!done) {
      const held = this.sending ? 0 : this.batch.length;
      const lost = this.queue.length + held;
      this.left(this.queue.take(this.queue.length));
      if (!this.sending) {
        this.left(this.batch);
        this.batch = [];
      }
      this.counters.dropped += lost;
      this.logger.warn(
        { dropped: lost, lastError: this.lastError },
        `${this.name}: closed with ${lost} records still unsent after ${timeoutMs} ms; they are dropped (the backend is unavailable or slow)`,
      );
    }
    for (const t of [this.flushTimer, this.dropLog?.timer]) if (t !== undefined) clearTimeout(t);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.retryTimer?.wake();
    this.flushTimer = undefined;
    this.immediate = undefined;
    this.flushDropLog();
  }

  /** The counters (see {@link RunLogStats}). */
  stats(): RunLogStats {
    return { ...this.counters, queueDepth: this.queue.length + this.batch.length, lastError: this.lastError };
  }

  private oldestPending(): number {
    return this.batch.length > 0 ? this.batchSeq : this.queue.frontSeq;
  }

  private settleWaiters(): void {
    if (this.waiters.length === 0) return;
    const oldest = this.oldestPending();
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (oldest > w.target) w.resolve(true);
      else still.push(w);
    }
    this.waiters = still;
  }

  private armFlushTimer(): void {
    if (this.flushTimer !== undefined || this.closed) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.drainOnce = true;
      void this.pump();
    }, this.flushMs);
    this.flushTimer.unref();
  }

  /** Makes room for one record: drops the oldest record not being written right now. */
  private dropOldest(): void {
    if (!this.sending && this.batch.length > 0) {
      this.left([this.batch.shift()!]);
      this.batchSeq++;
    } else {
      this.left(this.queue.take(1));
    }
    this.counters.dropped++;
    this.noteDrop();
    this.settleWaiters();
  }

  private noteDrop(): void {
    if (this.dropLog !== undefined) return;
    this.logger.warn(
      { queueLimit: this.queueLimit, lastError: this.lastError },
      `${this.name}: queue full (queueLimit ${this.queueLimit}); dropping the oldest queued records because the backend is not keeping up or is unavailable`,
    );
    const since = this.counters.dropped;
    const timer = setInterval(() => this.flushDropLog(), this.logIntervalMs);
    timer.unref();
    this.dropLog = { timer, since };
  }

  /** Logs the drops since the last line; stops the summary timer once a period passes with none. */
  private flushDropLog(): void {
    if (this.dropLog === undefined) return;
    const count = this.counters.dropped - this.dropLog.since;
    if (count === 0 || this.closed) clearInterval(this.dropLog.timer);
    if (count > 0) {
      this.logger.warn({ dropped: count, droppedTotal: this.counters.dropped, lastError: this.lastError }, `${this.name}: dropped ${count} records (queue full)`);
    }
    this.dropLog = count === 0 || this.closed ? undefined : { timer: this.dropLog.timer, since: this.counters.dropped };
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    try {
      for (;;) {
        if (this.batch.length === 0) {
          const partial = this.drainOnce || this.waiters.length > 0 || this.closed;
          if (this.queue.length === 0 || (this.queue.length < this.batchSize && !partial)) {
            this.holdingSince = 0; // caught up: the next backlog may be held back again
            break;
          }
          if (!partial) await this.untilLoopQuiet();
          if (this.queue.length === 0) break;
          this.drainOnce = false;
          this.batchSeq = this.queue.frontSeq;
          this.batch = this.queue.take(this.batchSize);
        }
        if (!(await this.send()) && !(await this.backoff())) break;
      }
    } finally {
      this.running = false;
      this.drainOnce = false;
      if (this.queue.length > 0 && !this.closed) this.armFlushTimer();
    }
  }

  /**
   * Waits while the caller's event loop is busy, in looks of {@link QUIET_LOOK_MS}, for at most
   * `flushMs` since this backlog was first held back; not at all once the queue holds half of
   * `queueLimit`, or while a flush or close waits.
   */
  private async untilLoopQuiet(): Promise<void> {
    if (this.holdingSince === 0) this.holdingSince = Date.now();
    for (;;) {
      if (this.closed || this.waiters.length > 0 || this.queue.length >= this.queueLimit / 2) return;
      const left = this.holdingSince + this.flushMs - Date.now();
      if (left <= 0) return;
      this.loopBusy(); // starts the look
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(QUIET_LOOK_MS, left));
        timer.unref();
      });
      if (this.loopBusy() < BUSY_SHARE) return;
    }
  }

  /** Counts and logs records the backend's check refused (the first at once, then a count at most every `logIntervalMs`). */
  private noteRefused(refused: readonly RunLogRecordProblem[]): void {
    if (refused.length === 0) return;
    this.counters.rejected += refused.length;
    this.refusedUnlogged += refused.length;
    const now = Date.now();
    if (this.lastRefusalLog !== 0 && now - this.lastRefusalLog < this.logIntervalMs) return;
    const first = refused[0]!;
    this.logger.error(
      { job: first.job, field: first.field, detail: first.detail, refused: this.refusedUnlogged },
      `${this.name}: ${this.refusedUnlogged} finished run(s) could not be made into a valid record and are not stored (the first: job ${first.job}, ${first.field} ${first.detail}); a bug in what reported the run`,
    );
    this.lastRefusalLog = now;
    this.refusedUnlogged = 0;
  }

  /** Writes the held (captured) batch. @returns `false` when it failed and should be retried. */
  private async send(): Promise<boolean> {
    this.sending = true;
    this.progress = 0;
    try {
      await this.writeIsolating(this.batch);
    } catch (error) {
      // Parts stored or refused before the failure leave the batch; the rest is retried.
      this.left(this.batch, 0, this.progress);
      this.batch = this.batch.slice(this.progress);
      this.batchSeq += this.progress;
      this.onFailure(error);
      this.settleWaiters();
      return false;
    } finally {
      this.sending = false;
    }
    if (this.failures > 0) {
      this.logger.info?.({ failedAttempts: this.failures }, `${this.name}: writing again after ${this.failures} failed attempts`);
    }
    this.failures = 0;
    this.lastError = null;
    this.left(this.batch);
    this.batch = [];
    this.settleWaiters();
    return true;
  }

  /** Records of the held batch stored or refused so far in the current {@link RunLogBatcher.send}. */
  private progress = 0;

  /** Writes `records`; a refused write is halved until the refused records are alone. Throws on a retryable error. */
  private async writeIsolating(items: readonly RunLogBatchItem[]): Promise<void> {
    try {
      const answer = await this.insert(items, this.ring);
      const refused = answer?.refused ?? [];
      this.counters.written += items.length - refused.length;
      this.progress += items.length;
      this.noteRefused(refused);
    } catch (error) {
      if (this.classify(error) !== 'reject') throw error;
      if (items.length === 1) {
        const item = items[0]!;
        // A queued run's record is made (as the backend made it) for its run id: the slot holds only its random bits.
        const { runId, jobId } = typeof item === 'number' ? assembleRunLogRecord(this.ring!.capture(item)) : item;
        this.counters.rejected++;
        this.progress++;
        this.logger.error({ err: error, runId, job: jobId }, `${this.name}: the backend refused a record; it is not stored`);
        return;
      }
      const half = Math.ceil(items.length / 2);
      await this.writeIsolating(items.slice(0, half));
      await this.writeIsolating(items.slice(half));
    }
  }

  private onFailure(error: unknown): void {
    this.failures++;
    this.counters.failedBatches++;
    this.lastError = messageOf(error);
    const now = Date.now();
    if (this.failures === 1 || now - this.lastFailureLog >= this.logIntervalMs) {
      this.lastFailureLog = now;
      this.logger.warn(
        { err: error, failedAttempts: this.failures, queueDepth: this.queue.length + this.batch.length, queueLimit: this.queueLimit },
        `${this.name}: writing a batch failed; retrying with backoff (records stay queued, up to queueLimit ${this.queueLimit})`,
      );
    }
  }

  /** Waits the retry delay. @returns `false` when the batcher closed meanwhile (stop retrying). */
  private async backoff(): Promise<boolean> {
    if (this.closed) {
      this.counters.dropped += this.batch.length;
      this.left(this.batch);
      this.batch = [];
      this.settleWaiters();
      return false;
    }
    const delay = retryDelay(this.failures, this.retryBaseMs, this.random, { maxMs: this.retryMaxMs });
    await new Promise<void>((resolve) => {
      // Unref'd like every timer here: a log backend that is down never keeps a process from exiting.
      const timer = setTimeout(() => wake(), delay);
      timer.unref();
      const wake = (): void => {
        clearTimeout(timer);
        this.retryTimer = undefined;
        resolve();
      };
      this.retryTimer = { timer, wake };
    });
    return true;
  }
}
