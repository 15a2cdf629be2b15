/**
 * The bounded run history of one schedule in the {@link MemoryStore}, stored as columns.
 *
 * @remarks
 * Pure data structure, no I/O. At 100k schedules firing every second with the default 20
 * records each, history is most of what stays alive: kept as `RunRecord` objects that is 2M
 * objects (plus their boxed times) for the garbage collector to trace on every major collection,
 * and 100k records a second promoted to the old generation. Here a record is four unboxed
 * doubles (three times, and status, flags and attempts packed in one) and two string references
 * (owner, error), written into a ring sized once, so recording a run allocates nothing and the
 * collector traces two arrays per schedule. Records are rebuilt on read (`history()`), which is
 * rare.
 */
import type { RunRecord, RunStatus } from './store.js';

const STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'timed_out', 'aborted', 'missed', 'skipped'];

function statusCode(status: RunStatus): number {
  return status === 'succeeded' ? 0 : STATUSES.indexOf(status);
}

// Flag bits above the 3-bit status code.
const HAS_OWNER = 1 << 3;
const HAS_ERROR = 1 << 4;
const HAS_MANUAL = 1 << 5;
const MANUAL_TRUE = 1 << 6;
const ATTEMPTS_SHIFT = 7;

/**
 * A ring of the newest `limit` run records of one schedule.
 *
 * @example
 * ```ts
 * const history = new RunHistory();
 * history.push(record, 20);
 * history.newest('job-1', 5); // newest first
 * ```
 */
export class RunHistory {
  /**
   * Per record: scheduledAt, startedAt, finishedAt (`NaN` encodes `null`) and the status code,
   * presence flags and attempts, side by side so a write touches one array.
   */
  private times: number[] = [];
  /** owner, error per record (`undefined` when absent). */
  private texts: (string | undefined)[] = [];
  /** Ring position of the oldest record. */
  private head = 0;
  private count = 0;
  private capacity = 0;

  /** Number of records held. */
  get size(): number {
    return this.count;
  }

  /** Appends `record`, dropping the oldest ones beyond `limit` (>= 1). */
  push(record: RunRecord, limit: number): void {
    if (limit !== this.capacity) this.resize(limit);
    let i: number;
    if (this.count < this.capacity) {
      i = (this.head + this.count) % this.capacity;
      this.count++;
    } else {
      i = this.head;
      this.head = (this.head + 1) % this.capacity;
    }
    let meta = statusCode(record.status) | (record.attempts << ATTEMPTS_SHIFT);
    if (record.owner !== undefined) meta |= HAS_OWNER;
    if (record.error !== undefined) meta |= HAS_ERROR;
    if (record.manual !== undefined) meta |= record.manual ? HAS_MANUAL | MANUAL_TRUE : HAS_MANUAL;
    const t = 4 * i;
    const times = this.times;
    times[t] = record.scheduledAt;
    times[t + 1] = record.startedAt ?? NaN;
    times[t + 2] = record.finishedAt ?? NaN;
    times[t + 3] = meta;
    this.texts[2 * i] = record.owner;
    this.texts[2 * i + 1] = record.error;
  }

  /** Up to `limit` records, newest first, rebuilt as `RunRecord`s of job `jobId`. */
  newest(jobId: string, limit: number): RunRecord[] {
    const out: RunRecord[] = [];
    for (let k = this.count - 1; k >= 0 && out.length < limit; k--) out.push(this.at(jobId, (this.head + k) % this.capacity));
    return out;
  }

  private at(jobId: string, i: number): RunRecord {
    const t = 4 * i;
    const meta = this.times[t + 3] as number;
    const startedAt = this.times[t + 1] as number;
    const finishedAt = this.times[t + 2] as number;
    const record: { -readonly [K in keyof RunRecord]: RunRecord[K] } = {
      jobId,
      scheduledAt: this.times[t] as number,
      startedAt: Number.isNaN(startedAt) ? null : startedAt,
      finishedAt: Number.isNaN(finishedAt) ? null : finishedAt,
      status: STATUSES[meta & 7] as RunStatus,
      attempts: meta >>> ATTEMPTS_SHIFT,
    };
    if ((meta & HAS_ERROR) !== 0) record.error = this.texts[2 * i + 1] as string;
    if ((meta & HAS_OWNER) !== 0) record.owner = this.texts[2 * i] as string;
    if ((meta & HAS_MANUAL) !== 0) record.manual = (meta & MANUAL_TRUE) !== 0;
    return record;
  }

  /** Re-lays the ring for a new capacity, keeping the newest records that fit. */
  private resize(capacity: number): void {
    const { times, texts, head, count } = this;
    const old = this.capacity;
    const keep = Math.min(count, capacity);
    // Sized once for the whole ring (growing by push leaves up to half of it as slack).
    this.times = new Array<number>(4 * capacity).fill(0);
    this.texts = new Array<string | undefined>(2 * capacity).fill(undefined);
    for (let k = 0; k < keep; k++) {
      const i = (head + count - keep + k) % old;
      for (let f = 0; f < 4; f++) this.times[4 * k + f] = times[4 * i + f] as number;
      this.texts[2 * k] = texts[2 * i];
      this.texts[2 * k + 1] = texts[2 * i + 1];
    }
    this.head = 0;
    this.count = keep;
    this.capacity = capacity;
  }
}
