/**
 * The bounded run history of one schedule in the {@link MemoryStore}, stored as columns.
 *
 * @remarks
 * Pure data structure, no I/O. At 100k schedules firing every second with the default 20
 * records each, history is most of what stays alive: kept as `RunRecord` objects that is 2M
 * objects (plus their boxed times) for the garbage collector to trace on every major collection,
 * and 100k records a second promoted to the old generation. Here a record is four doubles (three
 * times, and status, flags and attempts packed in one) in a ring sized once, a chunk of the store's
 * shared {@link HistoryArena} (one `Float64Array` outside the V8 heap for every schedule). The owner
 * is kept once per ring while every record has the same one (the usual case: this process), and a
 * per-record text column (owner, error) is allocated only when a record needs it, so recording a
 * run allocates nothing. Records are rebuilt on read (`history()`, `lastRun`).
 */
import type { RunRecord, RunStatus } from './store.js';
import { HistoryArena } from './history-arena.js';

const STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'timed_out', 'aborted', 'missed', 'skipped', 'crashed', 'out_of_memory'];

function statusCode(status: RunStatus): number {
  return status === 'succeeded' ? 0 : STATUSES.indexOf(status);
}

// Flag bits above the 3-bit status code (eight statuses: the list above is full).
const HAS_OWNER = 1 << 3;
const HAS_ERROR = 1 << 4;
const HAS_MANUAL = 1 << 5;
const MANUAL_TRUE = 1 << 6;
const ATTEMPTS_SHIFT = 7;
/** The status, flags and attempts of a record `succeeded` at attempt 1 (owner flag apart). */
const SUCCEEDED_ONCE = 1 << ATTEMPTS_SHIFT;


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
   * Offset of the ring in the arena. Per record, four doubles: scheduledAt, startedAt, finishedAt
   * (`NaN` encodes `null`) and the status code, presence flags and attempts, side by side so a
   * write touches one cache line.
   */
  private base = 0;
  /** The owner of every record that has one, while {@link texts} is `null`. */
  private owner: string | undefined = undefined;
  /** owner, error per record (`undefined` when absent); `null` until a record needs it. */
  private texts: (string | undefined)[] | null = null;
  /** `requestedBy` and `requestId` of the manual runs an operator asked for, by ring position (rare: `null` until one). */
  private requests: Map<number, Pick<RunRecord, 'requestedBy' | 'requestId'>> | null = null;
  /** Ring position of the oldest record. */
  private head = 0;
  private count = 0;
  private capacity = 0;
  private pushes = 0;

  /** @param arena - where the ring lives (a store shares one between its schedules). */
  constructor(private readonly arena: HistoryArena = new HistoryArena()) {}

  /** Frees the ring's storage; the history is empty afterwards. */
  dispose(): void {
    if (this.capacity > 0) this.arena.release(this.base, 4 * this.capacity);
    this.capacity = 0;
    this.count = 0;
    this.head = 0;
    this.texts = null;
    this.requests = null;
  }
  /** Number of records held. */
  get size(): number {
    return this.count;
  }

  /** Records ever pushed (a position in the stream of runs, for {@link RunHistory.pushedAt}). */
  get written(): number {
    return this.pushes;
  }

  /** Appends `record`, dropping the oldest ones beyond `limit` (>= 1). */
  push(record: RunRecord, limit: number): void {
    const i = this.advance(limit);
    let meta = statusCode(record.status) | (record.attempts << ATTEMPTS_SHIFT);
    const owner = record.owner;
    if (owner !== undefined) meta |= HAS_OWNER;
    if (record.error !== undefined) meta |= HAS_ERROR;
    if (record.manual !== undefined) meta |= record.manual ? HAS_MANUAL | MANUAL_TRUE : HAS_MANUAL;
    this.requests?.delete(i);
    if (record.requestedBy !== undefined || record.requestId !== undefined) {
      (this.requests ??= new Map()).set(i, { ...(record.requestedBy === undefined ? {} : { requestedBy: record.requestedBy }), ...(record.requestId === undefined ? {} : { requestId: record.requestId }) });
    }
    const t = this.base + 4 * i;
    const times = this.arena.data;
    times[t] = record.scheduledAt;
    times[t + 1] = record.startedAt ?? NaN;
    times[t + 2] = record.finishedAt ?? NaN;
    times[t + 3] = meta;
    let texts = this.texts;
    if (texts === null) {
      if (record.error === undefined && (owner === undefined || this.owner === undefined || owner === this.owner)) {
        if (owner !== undefined) this.owner = owner;
        return;
      }
      texts = this.textColumn();
    }
    texts[2 * i] = owner;
    texts[2 * i + 1] = record.error;
  }

  /**
   * Appends the record of a run of `owner` that succeeded at its first attempt, as
   * {@link RunHistory.push} of `{ scheduledAt, startedAt, finishedAt, status: 'succeeded',
   * attempts: 1, owner }` would, without the record object.
   */
  pushSucceeded(scheduledAt: number, startedAt: number, finishedAt: number, owner: string, limit: number): void {
    const i = this.advance(limit);
    this.requests?.delete(i);
    const t = this.base + 4 * i;
    const times = this.arena.data;
    times[t] = scheduledAt;
    times[t + 1] = startedAt;
    times[t + 2] = finishedAt;
    times[t + 3] = SUCCEEDED_ONCE | HAS_OWNER;
    const texts = this.texts;
    if (texts === null && (this.owner === undefined || owner === this.owner)) {
      this.owner = owner;
      return;
    }
    const column = texts ?? this.textColumn();
    column[2 * i] = owner;
    column[2 * i + 1] = undefined;
  }

  /** Makes room for one more record (within `limit`); returns its ring position. */
  private advance(limit: number): number {
    if (limit !== this.capacity) this.resize(limit);
    this.pushes++;
    if (this.count < this.capacity) return (this.head + this.count++) % this.capacity;
    const i = this.head;
    this.head = (this.head + 1) % this.capacity;
    return i;
  }

  /**
   * Reads the storage the next {@link RunHistory.push} writes (and returns what is there), so a
   * caller can bring it into cache ahead of the push; `0` for an empty ring.
   */
  touchNext(): number {
    const capacity = this.capacity;
    if (capacity === 0) return 0;
    const i = this.count < capacity ? (this.head + this.count) % capacity : this.head;
    return this.arena.data[this.base + 4 * i] as number;
  }

  /** Up to `limit` records, newest first, rebuilt as `RunRecord`s of job `jobId`. */
  newest(jobId: string, limit: number): RunRecord[] {
    const out: RunRecord[] = [];
    for (let k = this.count - 1; k >= 0 && out.length < limit; k--) out.push(this.at(jobId, (this.head + k) % this.capacity));
    return out;
  }

  /** The newest record, rebuilt as a `RunRecord` of job `jobId`, or `null` when empty. */
  latest(jobId: string): RunRecord | null {
    return this.count === 0 ? null : this.at(jobId, (this.head + this.count - 1) % this.capacity);
  }

  /** The newest record's status without building the record, or `null` when empty. */
  latestStatus(): RunStatus | null {
    if (this.count === 0) return null;
    const i = (this.head + this.count - 1) % this.capacity;
    return STATUSES[(this.arena.data[this.base + 4 * i + 3] as number) & 7] as RunStatus;
  }

  /**
   * The record that was the newest when {@link RunHistory.written} was `written`, rebuilt as a
   * `RunRecord` of job `jobId`; `null` when `written` is 0 or the ring no longer holds it.
   */
  pushedAt(jobId: string, written: number): RunRecord | null {
    const back = this.pushes - written;
    if (written <= 0 || back < 0 || back >= this.count) return null;
    return this.at(jobId, (this.head + this.count - 1 - back) % this.capacity);
  }

  private at(jobId: string, i: number): RunRecord {
    const t = this.base + 4 * i;
    const times = this.arena.data;
    const meta = times[t + 3] as number;
    const startedAt = times[t + 1] as number;
    const finishedAt = times[t + 2] as number;
    const record: { -readonly [K in keyof RunRecord]: RunRecord[K] } = {
      jobId,
      scheduledAt: times[t] as number,
      startedAt: Number.isNaN(startedAt) ? null : startedAt,
      finishedAt: Number.isNaN(finishedAt) ? null : finishedAt,
      status: STATUSES[meta & 7] as RunStatus,
      attempts: meta >>> ATTEMPTS_SHIFT,
    };
    const texts = this.texts;
    if ((meta & HAS_ERROR) !== 0) record.error = texts?.[2 * i + 1] as string;
    if ((meta & HAS_OWNER) !== 0) record.owner = (texts === null ? this.owner : texts[2 * i]) as string;
    if ((meta & HAS_MANUAL) !== 0) record.manual = (meta & MANUAL_TRUE) !== 0;
    const request = this.requests?.get(i);
    return request === undefined ? record : { ...record, ...request };
  }

  /** Switches to per-record texts: fills the owner of the records held so far. */
  private textColumn(): (string | undefined)[] {
    const texts = new Array<string | undefined>(2 * this.capacity).fill(undefined);
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) % this.capacity;
      if (((this.arena.data[this.base + 4 * i + 3] as number) & HAS_OWNER) !== 0) texts[2 * i] = this.owner;
    }
    this.texts = texts;
    this.owner = undefined;
    return texts;
  }

  /** Re-lays the ring for a new capacity, keeping the newest records that fit. */
  private resize(capacity: number): void {
    const { texts, head, count } = this;
    const old = this.capacity;
    const oldBase = this.base;
    const keep = Math.min(count, capacity);
    // Sized once for the whole ring (growing by push leaves up to half of it as slack).
    const base = this.arena.alloc(4 * capacity);
    const data = this.arena.data;
    this.texts = texts === null ? null : new Array<string | undefined>(2 * capacity).fill(undefined);
    const requests = this.requests;
    this.requests = requests === null ? null : new Map();
    for (let k = 0; k < keep; k++) {
      const i = (head + count - keep + k) % old;
      const request = requests?.get(i);
      if (request !== undefined) this.requests!.set(k, request);
      for (let f = 0; f < 4; f++) data[base + 4 * k + f] = data[oldBase + 4 * i + f] as number;
      if (texts !== null) {
        this.texts![2 * k] = texts[2 * i];
        this.texts![2 * k + 1] = texts[2 * i + 1];
      }
    }
    if (old > 0) this.arena.release(oldBase, 4 * old);
    this.base = base;
    this.head = 0;
    this.count = keep;
    this.capacity = capacity;
  }
}
