/**
 * The run-log sink contract: where finished runs go to be kept and queried, beside the bounded
 * per-job history the store keeps for the fast path.
 *
 * @remarks
 * A sink is backend-neutral: {@link MemoryRunLog} is the reference, `@xcore/runlog-postgres` the
 * durable one, and `describeRunLogContract` the suite both pass. The scheduler calls
 * {@link RunLogSink.write} once per finished run on its run path, so `write` must never wait for
 * I/O: it validates, enqueues and returns. Everything slow happens later, off the caller's path.
 */
import type { RunLogOutcome, RunLogRecord } from './run-log-record.js';
import type { RunLogInput } from './to-run-log-record.js';

/** Which time a query's range and order use. */
export type RunLogTimeField = 'finishedAt' | 'scheduledAt';

/**
 * What {@link RunLogSink.query} selects. Every key is optional; given keys must all match.
 *
 * @remarks
 * Times are epoch ms, a `Date`, or ISO 8601 text. Results are newest first by `timeField`, ties
 * broken by `runId` (descending), and paged by keyset: pass the page's `nextCursor` as `cursor` to
 * get the next page. A cursor stays valid when newer records arrive in between (they sort before
 * it), so no record is skipped or repeated across pages.
 */
export interface RunLogFilter {
  /** Exact job id (a plugin's job is `plugin:id`). */
  readonly jobId?: string;
  /** The job's owner: a plugin name, or `config`. */
  readonly owner?: string;
  /** One outcome, or several (any of them). */
  readonly outcome?: RunLogOutcome | readonly RunLogOutcome[];
  /** Only manual runs (`true`) or only scheduled ones (`false`). */
  readonly manual?: boolean;
  /** The time `from`/`to` and the order use. @defaultValue `'finishedAt'` */
  readonly timeField?: RunLogTimeField;
  /** Inclusive lower bound of `timeField`. */
  readonly from?: number | Date | string;
  /** Exclusive upper bound of `timeField`. */
  readonly to?: number | Date | string;
  /** Records per page, 1..1000. @defaultValue `50` */
  readonly limit?: number;
  /** The `nextCursor` of the previous page (made with the same `timeField`). */
  readonly cursor?: string;
}

/** One page of {@link RunLogSink.query}. */
export interface RunLogPage {
  /** Matching records, newest first. */
  readonly records: readonly RunLogRecord[];
  /** Pass as `cursor` for the next page; `null` when this page is the last. */
  readonly nextCursor: string | null;
}

/** Counters of a sink since it was created. */
export interface RunLogStats {
  /** Records the backend has stored (a record written again after a lost answer counts once per store). */
  readonly written: number;
  /**
   * Records lost before reaching the backend: the queue was full (the oldest queued are dropped),
   * or `close()` passed its deadline with records unsent. Each drop is also logged.
   */
  readonly dropped: number;
  /**
   * Records the backend refused as data (never retried: they would fail again), and queued runs
   * (`writeRun`) that made no valid record. Logged (refused runs: the first at once, then counted).
   */
  readonly rejected: number;
  /** Batches whose write failed and was retried later (the backend was away or slow). */
  readonly failedBatches: number;
  /** Records waiting to be written now (queued, in a batch being written or retried). */
  readonly queueDepth: number;
  /** The last write error's message while the backend is failing; `null` once a write succeeds. */
  readonly lastError: string | null;
}

/** Options of {@link RunLogSink.flush} and {@link RunLogSink.close}. */
export interface RunLogFlushOptions {
  /** Give up waiting after this long (ms). @defaultValue no limit for `flush`, `5000` for `close` */
  readonly timeoutMs?: number;
}

/** The logger a sink reports drops and backend trouble to (pino's call order: fields, message). */
export interface RunLogLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  info?(obj: object, msg: string): void;
}

/**
 * A place finished runs are written to and read back from.
 *
 * @example
 * ```ts
 * sink.write(toRunLogRecord({ record, jobOwner: 'billing' }));
 * const { records, nextCursor } = await sink.query({ jobId: 'billing:invoice', outcome: ['failed', 'timed_out'], limit: 20 });
 * ```
 */
export interface RunLogSink {
  /**
   * Queues one record and returns at once: never awaits I/O, never throws for backend trouble.
   *
   * @remarks
   * The queue is bounded; when it is full the **oldest** queued records are dropped to make room
   * (recent runs are what an operator looks at after an outage), counted in `stats().dropped` and
   * logged. A record whose `runId` is already stored is ignored.
   *
   * @throws {@link RunLogRecordInvalidError} for a malformed record (nothing queued);
   * {@link RunLogClosedError} after `close()`.
   */
  write(record: RunLogRecord): void;
  /**
   * Optional: queues a finished run (the input of {@link toRunLogRecord}) and returns at once; the
   * record is built and validated later, off the caller's path, when its batch is written.
   *
   * @remarks
   * The scheduler's run-log observer uses it when present (else `write(toRunLogRecord(input))`):
   * at 10k runs a second, building and checking each record on the run path (a few µs each) made
   * the runner measurably later. The input's objects (the record, the thrown error, the returned
   * value) are read during the call (the batching sinks capture them into a {@link RunLogRing}),
   * so they may change afterwards. An input that cannot make a valid record is counted in
   * `stats().rejected` and logged, since there is no caller left to throw to.
   *
   * @throws {@link RunLogClosedError} after `close()`.
   */
  writeRun?(input: RunLogInput): void;
  /**
   * One page of stored records matching `filter`, newest first.
   *
   * @remarks Reads the backend: records still queued are not seen until flushed.
   * @throws {@link RunLogQueryInvalidError} for a bad filter or cursor; the backend's error when it cannot be read.
   */
  query(filter?: RunLogFilter): Promise<RunLogPage>;
  /**
   * Resolves once every record written before the call has left the queue (stored, refused as
   * data, or dropped): `true`; or `false` when `timeoutMs` passed first (the records stay queued
   * and keep being retried). Never rejects for backend trouble.
   */
  flush(options?: RunLogFlushOptions): Promise<boolean>;
  /**
   * Flushes until `timeoutMs` (default 5 s), drops what is still unsent (counted and logged), and
   * releases the backend. Idempotent; later writes and queries throw {@link RunLogClosedError}.
   */
  close(options?: RunLogFlushOptions): Promise<void>;
  /** The counters, read synchronously. */
  stats(): RunLogStats;
}
