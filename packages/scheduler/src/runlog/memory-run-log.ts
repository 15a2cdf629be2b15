/**
 * `MemoryRunLog`: the reference {@link RunLogSink}, kept in this process and bounded.
 *
 * @remarks
 * For tests, for development, and as the executable statement of the contract's query semantics:
 * it filters and sorts in plain code what a durable backend does with indexes. A write is stored
 * at once (there is no I/O to queue for), so `flush` has nothing to wait for. It keeps the newest
 * `capacity` records written: past that, the record written longest ago is evicted (that is its
 * retention, not a drop). Queries scan every kept record, so keep `capacity` moderate.
 */
import { RunLogClosedError, RunLogOptionsInvalidError } from './run-log-errors.js';
import { compareNewestFirst, encodeRunLogCursor, parseRunLogFilter, runLogMatches } from './run-log-query.js';
import type { RunLogRecord } from './run-log-record.js';
import type { RunLogFilter, RunLogPage, RunLogSink, RunLogStats } from './run-log-sink.js';
import { validateRunLogRecord } from './validate-run-log-record.js';

/** Options of {@link MemoryRunLog}. */
export interface MemoryRunLogOptions {
  /** Most records kept; the oldest written is evicted past it (1..1000000). @defaultValue `10000` */
  readonly capacity?: number;
}

/**
 * A bounded in-process run log (see the module remarks).
 *
 * @example
 * ```ts
 * const log = new MemoryRunLog({ capacity: 1000 });
 * log.write(toRunLogRecord({ record, jobOwner: 'config' }));
 * const page = await log.query({ outcome: 'failed' });
 * ```
 */
export class MemoryRunLog implements RunLogSink {
  /** Kept records by run id, in write order (a `Map` iterates in insertion order). */
  private readonly records = new Map<string, RunLogRecord>();
  private readonly capacity: number;
  private written = 0;
  private closed = false;

  constructor(options: MemoryRunLogOptions = {}) {
    const capacity = options.capacity ?? 10_000;
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1_000_000) {
      throw new RunLogOptionsInvalidError('capacity', `must be a whole number from 1 to 1000000, found ${String(capacity)}`);
    }
    this.capacity = capacity;
  }

  /** Stores the record at once (see {@link RunLogSink.write}); a known `runId` is ignored. */
  write(record: RunLogRecord): void {
    if (this.closed) throw new RunLogClosedError('memory', 'write');
    validateRunLogRecord(record);
    if (this.records.has(record.runId)) return;
    this.records.set(record.runId, record);
    this.written++;
    if (this.records.size > this.capacity) {
      const oldest = this.records.keys().next();
      if (oldest.done !== true) this.records.delete(oldest.value);
    }
  }

  /** See {@link RunLogSink.query}. */
  async query(filter?: RunLogFilter): Promise<RunLogPage> {
    if (this.closed) throw new RunLogClosedError('memory', 'query');
    const q = parseRunLogFilter(filter);
    const matching: RunLogRecord[] = [];
    for (const record of this.records.values()) if (runLogMatches(q, record)) matching.push(record);
    matching.sort(compareNewestFirst(q.timeField));
    const records = matching.slice(0, q.limit);
    const last = records[records.length - 1];
    return { records, nextCursor: matching.length > q.limit && last !== undefined ? encodeRunLogCursor(q.timeField, last) : null };
  }

  /** Nothing is ever queued: resolves `true`. */
  async flush(): Promise<boolean> {
    return true;
  }

  /** Forgets every record. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.records.clear();
  }

  /** See {@link RunLogSink.stats}: nothing is queued, dropped or refused in memory. */
  stats(): RunLogStats {
    return { written: this.written, dropped: 0, rejected: 0, failedBatches: 0, queueDepth: 0, lastError: null };
  }
}
