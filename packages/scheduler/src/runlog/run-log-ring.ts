/**
 * The run log's queue of finished runs, written on the run path with no object kept per run and
 * read where the records are made: its numbers and short ids are columns in `SharedArrayBuffer`s
 * that a sink's writer thread reads in place, its texts travel with each batch in one string.
 *
 * @remarks
 * One slot per queued run. Its numbers (times, attempts, occurrences, the run id's random bits,
 * drawn by the first reader, off the run path, and kept so a batch read again makes the same ids)
 * are `Float64Array` columns; owner, process and requester are ids into a string table that only
 * grows (each distinct text is sent to a reader once, see {@link RunLogRing.stringsFrom});
 * outcome, manual and why a result was omitted are bits. The job id and the result's JSON are
 * kept per slot as the strings they are (a pointer store: cheaper on the run path than a lookup
 * in a table of 10k job ids, or than copying a fresh string into shared memory) and sent with the
 * batch joined by NUL ({@link RunLogRing.textsOf}), which neither JSON text nor a valid job id
 * holds. The commonest results live in the slot's memory (`SHAPED`): a finite number, a boolean
 * or null, or a plain object of at most 4 of them whose keys (its shape) are a string-table text;
 * the run path then writes a few numbers and keeps no object, and the reader makes the JSON. Any
 * other small result (a string, a plain object of at most 16 primitives) is kept as a snapshot
 * (the value, or a shallow copy) and its JSON made when the batch is sent (`resultSnapshot`): the
 * run path then pays ~50-100 ns for it instead of ~150-300 ns, during the burst of runs that makes
 * a runner late, but the copy lives until then. A run that does not fit this layout (an error's message and stack, a given run id, a
 * field of the wrong type, a text over {@link RUN_LOG_ID_MAX} characters or with NUL, a full
 * string table) takes the side channel: its slot's text is the whole {@link RunLogCapture} as
 * JSON, exactly what the batch's JSON held before the ring. Either way {@link RunLogRing.capture}
 * gives back the {@link RunLogCapture} that {@link captureRunLogInput} makes, so the assembled
 * record is the same.
 *
 * Slots come from a free list: {@link RunLogRing.write} takes one, {@link RunLogRing.release}
 * gives it back once its run has left the queue (stored, refused or dropped), so a batch being
 * written (or waiting for a retry) is never overwritten however the queue's front is dropped.
 *
 * Free of `@xcore/core`: bundled in `@xcore/scheduler/run-log-kit` for the writer thread.
 */
import { NOT_SNAPPED, boundedJson, resultSnapshot } from './bounded-json.js';
import { RUN_LOG_TIME_MAX, runLogRecordProblem, type RunLogRecordProblem } from './run-log-check.js';
import { RUN_LOG_ID_MAX, RUN_LOG_OUTCOMES, RUN_LOG_RESULT_MAX_BYTES, type RunLogOutcome, type RunLogRecord, type RunLogResultOmitted } from './run-log-record.js';
import { assembleRunLogRecord, captureRunLogInput, drawRunIdBits, type RunLogCapture, type RunLogInput } from './run-log-build.js';

/** Most distinct texts in the string table; past it new texts take the side channel. */
export const RUN_LOG_RING_STRINGS_MAX = 65_536;

/** The shared memory of a {@link RunLogRing}, to hand to a reader thread (`postMessage` shares it). */
export interface RunLogRingShared {
  readonly capacity: number;
  readonly f64: SharedArrayBuffer;
  readonly i32: SharedArrayBuffer;
}

/**
 * The columns of one queued run whose record is known to be valid, as {@link RunLogRing.readValid}
 * fills them in: what a writer encodes straight from the ring, with no record object, no run-id
 * text and no second pass over the result's JSON. Texts of the string table are given by id
 * ({@link RunLogRing.stringAt}; {@link RUN_LOG_RING_NULL} for `null`), so a writer can keep their
 * encoded bytes per id.
 */
export interface RunLogSlotFields {
  jobId: string;
  /** String-table id of the job's owner. */
  owner: number;
  /** Index in {@link RUN_LOG_OUTCOMES}. */
  outcome: number;
  scheduledAt: number;
  /** `null` for a run that never started. */
  startedAt: number | null;
  finishedAt: number;
  attempts: number;
  occurrences: number;
  manual: boolean;
  /** String-table id, or {@link RUN_LOG_RING_NULL}. */
  requestedBy: number;
  /** String-table id, or {@link RUN_LOG_RING_NULL}. */
  process: number;
  /** The result's JSON text, or `null` when the record's result is `null` (none, or a handler's `null`). */
  resultJson: string | null;
  resultOmitted: RunLogResultOmitted | null;
  /** The run id's random bits (see `runLogIdFrom`): with `finishedAt`, they make the id. */
  idHigh: number;
  idLow: number;
}

/** {@link RunLogSlotFields}' id of a `null` text. */
export const RUN_LOG_RING_NULL = -1;

/** A {@link RunLogSlotFields} to fill in, one per reader. */
export function emptySlotFields(): RunLogSlotFields {
  return {
    jobId: '', owner: 0, outcome: 0, scheduledAt: 0, startedAt: null, finishedAt: 0, attempts: 0, occurrences: 1,
    manual: false, requestedBy: RUN_LOG_RING_NULL, process: RUN_LOG_RING_NULL, resultJson: null, resultOmitted: null, idHigh: 0, idLow: 0,
  };
}

/** The texts of a batch's slots ({@link RunLogRing.textsOf}), each joined by NUL in slot order. */
export interface RunLogRingTexts {
  /** Job ids (empty for a side-channel slot). */
  readonly jobs: string;
  /** The result's JSON, or the side channel's capture JSON, or empty for none. */
  readonly texts: string;
}

// Float64 columns.
const SCHEDULED = 0;
const STARTED = 1;
const FINISHED = 2;
const ATTEMPTS = 3;
const OCCURRENCES = 4;
const ID_BITS = 5; // and 6
/** A shaped result's values (see {@link SHAPED}): {@link SHAPE_VALUES} of them, after the columns above. */
const RESULT_VALUES = ID_BITS + 2;
/** Most values of a shaped result (one f64 column each). */
const SHAPE_VALUES = 4;
const F64_STRIDE = RESULT_VALUES + SHAPE_VALUES;
// Int32 columns.
const OWNER = 0;
const PROCESS = 1;
const REQUESTED_BY = 2;
const BITS = 3;
/** A shaped result's keys: a string-table id (the keys' JSON array), or {@link NULL_ID} for a primitive. */
const RESULT_SHAPE = 4;
const I32_STRIDE = 5;
// BITS: outcome index (0-15), then flags.
const OUTCOME_MASK = 0x0f;
const MANUAL = 0x10;
const NOT_STARTED = 0x20;
const SIDE = 0x40;
const TOO_LARGE = 0x80;
const NOT_SERIALIZABLE = 0x100;
const RESULT = 0x200;
/**
 * The result is in the slot's memory, not an object or a text: a finite number, boolean or null
 * (no shape), or a plain object of at most {@link SHAPE_VALUES} such values (its keys are the
 * shape). Each value's kind takes 2 bits from {@link KIND_SHIFT} on ({@link KIND_NUMBER}, ...);
 * a number is in {@link RESULT_VALUES}.
 */
const SHAPED = 0x400;
const KIND_SHIFT = 12;
const KIND_NUMBER = 0;
const KIND_FALSE = 1;
const KIND_TRUE = 2;
const KIND_NULL = 3;
/** Longest key of a shaped result (longer ones: a snapshot). */
const SHAPE_KEY_MAX = 64;
/** Most distinct shapes in the string table: results whose keys vary run after run take snapshots past it, leaving the table to owners and processes. */
const SHAPES_MAX = 1024;
/** A string column's `null`; a text that cannot be interned is {@link NO_ID}. */
const NULL_ID = -1;
const NO_ID = -2;
const NUL = '\u0000';

const OUTCOME_INDEX = new Map<unknown, number>(RUN_LOG_OUTCOMES.map((o, i) => [o, i]));

/** The last text interned for a column, and its id. */
interface InternCache {
  text: unknown;
  id: number;
}

/** The keys of the last shaped result written, and their string-table id. */
interface ShapeCache {
  keys: string[];
  id: number;
}

/** A shaped value's JSON from its kind and (a number) its value; `String` of a finite number is its JSON. */
function valueJson(kind: number, value: number): string {
  return kind === KIND_NUMBER ? String(value) : kind === KIND_FALSE ? 'false' : kind === KIND_TRUE ? 'true' : 'null';
}

/** See the module remarks. */
export class RunLogRing {
  /** Slots in all. */
  readonly capacity: number;
  /** The memory to hand a reader: `new RunLogRing(ring.shared)` there reads the same slots. */
  readonly shared: RunLogRingShared;
  private readonly f64: Float64Array;
  private readonly i32: Int32Array;
  /** Released slots (a stack), and how many slots were ever taken (the never-used ones follow). */
  private readonly freeSlots: Int32Array;
  private freeTop = 0;
  private used = 0;
  private readonly strings: string[] = [];
  private readonly ids = new Map<string, number>();
  /** Per slot: the job id (`undefined` for a side-channel slot). */
  private readonly jobs: (string | undefined)[];
  /** Per slot: its result's JSON, or (side channel) its whole capture as JSON. */
  private readonly texts: (string | undefined)[];
  /**
   * Per slot (the writer's ring only): the result's {@link resultSnapshot} whose JSON is not made
   * yet (made when the slot's texts are first needed: {@link RunLogRing.textsOf}), else `undefined`.
   */
  private readonly snapshots: unknown[];
  /** One-entry caches of {@link RunLogRing.intern} for the owner and process columns (the same text run after run). */
  private readonly lastOwner: InternCache = { text: undefined, id: NO_ID };
  private readonly lastProcess: InternCache = { text: undefined, id: NO_ID };
  /** The keys of the last shaped result (see {@link SHAPED}): the same object shape run after run. */
  private lastShape: ShapeCache = { keys: [], id: NO_ID };
  /** Distinct shapes interned (at most {@link SHAPES_MAX}). */
  private shapes = 0;
  /** A reader's JSON pieces per shape id (`"key":` each), made once per shape. */
  private readonly shapePieces = new Map<number, string[]>();

  /** @param of - the number of slots (a new ring), or the `shared` memory of one (a reader of it). */
  constructor(of: number | RunLogRingShared) {
    const shared: RunLogRingShared = typeof of === 'number'
      ? { capacity: of, f64: new SharedArrayBuffer(of * F64_STRIDE * 8), i32: new SharedArrayBuffer(of * I32_STRIDE * 4) }
      : of;
    this.capacity = shared.capacity;
    this.shared = shared;
    this.f64 = new Float64Array(shared.f64);
    this.i32 = new Int32Array(shared.i32);
    this.jobs = new Array<string | undefined>(this.capacity);
    this.texts = new Array<string | undefined>(this.capacity);
    this.snapshots = new Array<unknown>(this.capacity);
    // Zero-filled memory is committed as it is touched: a light load uses few pages of any of these.
    this.freeSlots = new Int32Array(this.capacity);
  }

  /** Slots free to {@link RunLogRing.write}. */
  get free(): number {
    return this.freeTop + this.capacity - this.used;
  }

  /**
   * Captures a finished run into a free slot (see the module remarks) and returns the slot. Reads
   * the run's objects now; they may change afterwards.
   *
   * @throws RangeError when no slot is free (release first); what {@link captureRunLogInput}
   * throws for an input it cannot read (the slot is then not taken).
   */
  write(input: RunLogInput): number {
    let slot: number;
    if (this.freeTop > 0) slot = this.freeSlots[--this.freeTop]!;
    else if (this.used < this.capacity) slot = this.used++;
    else throw new RangeError('RunLogRing.write: every slot is taken; release one first');
    try {
      if (!this.writeFast(input, slot)) {
        this.texts[slot] = JSON.stringify(captureRunLogInput(input));
        this.jobs[slot] = undefined;
        this.i32[slot * I32_STRIDE + BITS] = SIDE;
      }
    } catch (error) {
      this.freeSlots[this.freeTop++] = slot;
      throw error;
    }
    return slot;
  }

  /** Gives a slot back once its run has left the queue (each slot once per {@link RunLogRing.write}). */
  release(slot: number): void {
    this.jobs[slot] = undefined;
    this.texts[slot] = undefined;
    this.snapshots[slot] = undefined;
    this.freeSlots[this.freeTop++] = slot;
  }

  /** The run in `slot` as {@link captureRunLogInput} captured it. @throws Error when a text it refers to has not been received. */
  capture(slot: number): RunLogCapture {
    const b = slot * I32_STRIDE;
    const f = slot * F64_STRIDE;
    const { i32, f64 } = this;
    const bits = i32[b + BITS]!;
    const text = this.textAt(slot);
    if ((bits & SIDE) !== 0) {
      if (text === undefined) throw new Error(`run-log ring: the text of slot ${slot} was not received`);
      return JSON.parse(text) as RunLogCapture;
    }
    const jobId = this.jobs[slot];
    if (jobId === undefined || ((bits & RESULT) !== 0 && text === undefined)) throw new Error(`run-log ring: the texts of slot ${slot} were not received`);
    // The run id's random bits are drawn by the first reader (off the run path) and kept in the
    // slot, so a batch read again (a retry, a new writer thread) makes the same run ids.
    if (Number.isNaN(f64[f + ID_BITS])) drawRunIdBits(f64, f + ID_BITS);
    return [
      jobId, this.text(i32[b + OWNER]!)!, RUN_LOG_OUTCOMES[bits & OUTCOME_MASK] as RunLogOutcome,
      f64[f + SCHEDULED]!, (bits & NOT_STARTED) !== 0 ? null : f64[f + STARTED]!, f64[f + FINISHED]!,
      f64[f + ATTEMPTS]!, f64[f + OCCURRENCES]!, null, null, (bits & MANUAL) !== 0,
      this.text(i32[b + REQUESTED_BY]!), this.text(i32[b + PROCESS]!), (bits & RESULT) !== 0 ? text! : null,
      (bits & TOO_LARGE) !== 0 ? 'too_large' : (bits & NOT_SERIALIZABLE) !== 0 ? 'not_serializable' : null,
      null, f64[f + ID_BITS]!, f64[f + ID_BITS + 1]!,
    ];
  }

  /**
   * Reads the run in `slot` into `out` when its record is sure to pass the record check, drawing
   * its run id's bits as {@link RunLogRing.capture} does; the record
   * {@link assembleRunLogRecord} would make of the slot then has exactly these fields (its run id
   * `runLogIdFrom(finishedAt, idHigh, idLow)`). Returns `false`, reading nothing, for a
   * side-channel slot, a slot whose texts were not received, or one the check might refuse (a
   * time out of range, an empty owner, odd counts): read those through {@link RunLogRing.capture}
   * and check the record.
   */
  readValid(slot: number, out: RunLogSlotFields): boolean {
    const b = slot * I32_STRIDE;
    const f = slot * F64_STRIDE;
    const { i32, f64 } = this;
    const bits = i32[b + BITS]!;
    if ((bits & SIDE) !== 0) return false;
    const jobId = this.jobs[slot];
    const text = (bits & RESULT) !== 0 ? this.textAt(slot) : null;
    if (jobId === undefined || text === undefined) return false;
    // A \u escape in the JSON (a NUL or its replacement, a control character, a lone surrogate):
    // the check decides those, and the record's JSON (parsed, then written again) is the text then.
    if (text !== null && text.includes('\\u')) return false;
    const owner = i32[b + OWNER]!;
    const ownerText = this.strings[owner];
    if (ownerText === undefined || ownerText.length === 0) return false;
    const requestedBy = i32[b + REQUESTED_BY]!;
    const process = i32[b + PROCESS]!;
    if ((requestedBy !== NULL_ID && this.strings[requestedBy] === undefined) || (process !== NULL_ID && this.strings[process] === undefined)) return false;
    const outcome = bits & OUTCOME_MASK;
    const scheduledAt = f64[f + SCHEDULED]!;
    const startedAt = (bits & NOT_STARTED) !== 0 ? null : f64[f + STARTED]!;
    const finishedAt = f64[f + FINISHED]!;
    const attempts = f64[f + ATTEMPTS]!;
    const occurrences = f64[f + OCCURRENCES]!;
    if (!(scheduledAt >= 0 && scheduledAt <= RUN_LOG_TIME_MAX && finishedAt >= 0 && finishedAt <= RUN_LOG_TIME_MAX)) return false;
    if (startedAt !== null && !(startedAt >= 0 && startedAt <= finishedAt)) return false;
    if (!Number.isInteger(attempts) || attempts < 0 || attempts > 2_147_483_647) return false;
    if (!Number.isInteger(occurrences) || occurrences < 1 || occurrences > 2_147_483_647) return false;
    if (occurrences > 1 && RUN_LOG_OUTCOMES[outcome] !== 'missed') return false;
    if (Number.isNaN(f64[f + ID_BITS])) drawRunIdBits(f64, f + ID_BITS);
    out.jobId = jobId;
    out.owner = owner;
    out.outcome = outcome;
    out.scheduledAt = scheduledAt;
    out.startedAt = startedAt;
    out.finishedAt = finishedAt;
    out.attempts = attempts;
    out.occurrences = occurrences;
    out.manual = (bits & MANUAL) !== 0;
    out.requestedBy = requestedBy;
    out.process = process;
    // A handler that returned null has the JSON "null": the record's result is null (no value), as assembling makes it.
    out.resultJson = text === 'null' ? null : text;
    out.resultOmitted = (bits & TOO_LARGE) !== 0 ? 'too_large' : (bits & NOT_SERIALIZABLE) !== 0 ? 'not_serializable' : null;
    out.idHigh = f64[f + ID_BITS]!;
    out.idLow = f64[f + ID_BITS + 1]!;
    return true;
  }

  /** The string table's text `id` ({@link RunLogSlotFields}' owner, process, requester). @throws Error when it was not received. */
  stringAt(id: number): string {
    const s = this.strings[id];
    if (s === undefined) throw new Error(`run-log ring: text ${id} was not received (${this.strings.length} known)`);
    return s;
  }

  /** How many texts the string table holds (a reader that has received them all has as many). */
  get stringCount(): number {
    return this.strings.length;
  }

  /** The string table's texts from index `from` on: what a reader that has `from` of them lacks. */
  stringsFrom(from: number): string[] {
    return this.strings.slice(from);
  }

  /** The per-slot texts a reader needs to read `slots` (see the module remarks). */
  textsOf(slots: readonly number[]): RunLogRingTexts {
    const jobs = new Array<string>(slots.length);
    const texts = new Array<string>(slots.length);
    for (let i = 0; i < slots.length; i++) {
      jobs[i] = this.jobs[slots[i]!] ?? '';
      // A shaped result is in shared memory: the reader makes its JSON (off the writer's loop).
      texts[i] = this.isShaped(slots[i]!) ? '' : this.textAt(slots[i]!) ?? '';
    }
    return { jobs: jobs.join(NUL), texts: texts.join(NUL) };
  }

  /**
   * A reader's side: takes the texts the writer's string table gained since `from` (its
   * {@link RunLogRing.stringsFrom}) and the per-slot texts of `slots` ({@link RunLogRing.textsOf}).
   *
   * @throws Error when `from` is not how many texts this reader has (a text was lost on the way),
   * or the per-slot texts do not match the slots.
   */
  receive(from: number, strings: readonly string[], slots: ArrayLike<number>, texts: RunLogRingTexts): void {
    if (from !== this.strings.length) throw new Error(`run-log ring: texts from ${from} received, but ${this.strings.length} are known`);
    for (const s of strings) this.strings.push(s);
    if (slots.length === 0) return;
    const jobs = texts.jobs.split(NUL);
    const each = texts.texts.split(NUL);
    if (jobs.length !== slots.length || each.length !== slots.length) throw new Error(`run-log ring: ${slots.length} slots received with ${jobs.length} job ids and ${each.length} texts`);
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      this.jobs[slot] = jobs[i] === '' ? undefined : jobs[i];
      this.texts[slot] = each[i] === '' ? undefined : each[i];
    }
  }

  private isShaped(slot: number): boolean {
    return (this.i32[slot * I32_STRIDE + BITS]! & (SIDE | SHAPED)) === SHAPED;
  }

  /** The text of `slot`, making (once) the JSON of a result kept as a snapshot, or the JSON of a shaped one. */
  private textAt(slot: number): string | undefined {
    const text = this.texts[slot];
    if (text !== undefined) return text;
    if (this.isShaped(slot)) return this.shapedJson(slot);
    const snapshot = this.snapshots[slot];
    if (snapshot === undefined) return undefined;
    const json = JSON.stringify(snapshot);
    this.texts[slot] = json;
    this.snapshots[slot] = undefined;
    return json;
  }

  /** The JSON of a shaped result (see {@link SHAPED}); `undefined` when its shape was not received. */
  private shapedJson(slot: number): string | undefined {
    const b = slot * I32_STRIDE;
    const f = slot * F64_STRIDE + RESULT_VALUES;
    const kinds = this.i32[b + BITS]! >>> KIND_SHIFT;
    const shape = this.i32[b + RESULT_SHAPE]!;
    if (shape === NULL_ID) return valueJson(kinds & 3, this.f64[f]!);
    let pieces = this.shapePieces.get(shape);
    if (pieces === undefined) {
      const keys = this.strings[shape];
      if (keys === undefined) return undefined;
      pieces = (JSON.parse(keys) as string[]).map((key) => `${JSON.stringify(key)}:`);
      this.shapePieces.set(shape, pieces);
    }
    let json = '{';
    for (let i = 0; i < pieces.length; i++) json += `${i === 0 ? '' : ','}${pieces[i]!}${valueJson((kinds >>> (2 * i)) & 3, this.f64[f + i]!)}`;
    return `${json}}`;
  }

  /**
   * Writes `value` into the result columns of `slot` when it is a finite number, a boolean, null,
   * or a plain object of at most {@link SHAPE_VALUES} of those under short keys (see
   * {@link SHAPED}). @returns the bits to set (`SHAPED` and the kinds), or `-1` for any other value
   * (then a snapshot or bounded JSON): nothing is allocated for it unless its keys differ from the
   * last shaped result's.
   */
  private writeShaped(value: unknown, slot: number): number {
    const f = slot * F64_STRIDE + RESULT_VALUES;
    const shapeAt = slot * I32_STRIDE + RESULT_SHAPE;
    const kind = this.kindOf(value, f);
    if (kind >= 0) {
      this.i32[shapeAt] = NULL_ID;
      return SHAPED | (kind << KIND_SHIFT);
    }
    if (typeof value !== 'object' || value === null) return -1;
    try {
      if (Array.isArray(value)) return -1;
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return -1;
      const shape = this.lastShape;
      let n = 0;
      let kinds = 0;
      let same = true;
      for (const key in value) {
        if (n === SHAPE_VALUES) return -1;
        const k = this.kindOf((value as Record<string, unknown>)[key], f + n);
        if (k < 0) return -1;
        kinds |= k << (2 * n);
        if (same && shape.keys[n] !== key) same = false;
        n++;
      }
      if (!same || n !== shape.keys.length) {
        const id = this.internShape(value as Record<string, unknown>, n);
        if (id === NO_ID) return -1;
      }
      this.i32[shapeAt] = this.lastShape.id;
      return SHAPED | (kinds << KIND_SHIFT);
    } catch {
      return -1; // a getter or proxy trap that throws: boundedJson decides
    }
  }

  /** The kind of a shaped value, writing a number into `f64[at]`; `-1` for any other value. */
  private kindOf(v: unknown, at: number): number {
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return -1;
      this.f64[at] = v;
      return KIND_NUMBER;
    }
    return v === false ? KIND_FALSE : v === true ? KIND_TRUE : v === null ? KIND_NULL : -1;
  }

  /** Makes the keys of `value` (`n` of them, just read) the last shape; {@link NO_ID} when a key does not fit. */
  private internShape(value: Record<string, unknown>, n: number): number {
    const keys: string[] = [];
    // `__proto__` read back from JSON would not be a key; NUL is the texts' separator.
    for (const key in value) {
      if (key.length > SHAPE_KEY_MAX || key === '__proto__' || key.includes(NUL)) return NO_ID;
      keys.push(key);
    }
    if (keys.length !== n) return NO_ID;
    const text = JSON.stringify(keys);
    const known = this.ids.has(text);
    if (!known && this.shapes >= SHAPES_MAX) return NO_ID;
    const id = this.intern(text);
    if (id === NO_ID) return NO_ID;
    if (!known) this.shapes++;
    this.lastShape = { keys, id };
    return id;
  }

  private text(id: number): string | null {
    if (id === NULL_ID) return null;
    const s = this.strings[id];
    if (s === undefined) throw new Error(`run-log ring: text ${id} was not received (${this.strings.length} known)`);
    return s;
  }

  /** {@link RunLogRing.intern} through a one-entry `cache`. */
  private internCached(cache: InternCache, s: unknown): number {
    if (s === cache.text) return cache.id;
    const id = this.intern(s);
    if (id !== NO_ID) {
      cache.text = s;
      cache.id = id;
    }
    return id;
  }

  /** The id of `s` in the string table, adding it; {@link NO_ID} when it is not a text that fits. */
  private intern(s: unknown): number {
    if (typeof s !== 'string' || s.length > RUN_LOG_ID_MAX || s.includes(NUL)) return NO_ID;
    let id = this.ids.get(s);
    if (id === undefined) {
      if (this.strings.length >= RUN_LOG_RING_STRINGS_MAX) return NO_ID;
      id = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  /**
   * Writes `input` into the columns of `slot`, reading each field as {@link captureRunLogInput}
   * does. @returns `false` when the run does not fit the layout (the side channel takes it).
   */
  private writeFast(input: RunLogInput, slot: number): boolean {
    const { record } = input;
    if (input.error !== undefined || input.runId !== undefined || record.error !== undefined) return false;
    const outcome = OUTCOME_INDEX.get(record.status);
    const { jobId } = record;
    // An empty job id is kept as it is by the side channel (the record check refuses it).
    if (outcome === undefined || typeof jobId !== 'string' || jobId.length === 0 || jobId.length > RUN_LOG_ID_MAX || jobId.includes(NUL)) return false;
    const owner = this.internCached(this.lastOwner, input.jobOwner);
    const proc = record.owner ?? null;
    const process = proc === null ? NULL_ID : this.internCached(this.lastProcess, proc);
    const requested = input.requestedBy ?? record.requestedBy;
    const requestedBy = requested === undefined ? NULL_ID : this.intern(requested);
    if (owner === NO_ID || process === NO_ID || requestedBy === NO_ID) return false;
    const scheduledAt = Math.round(record.scheduledAt);
    const startedAt = record.startedAt === null ? 0 : Math.round(record.startedAt);
    const finishedAt = Math.round(record.finishedAt ?? input.decidedAt ?? Date.now());
    const { attempts } = record;
    const occurrences = record.status === 'missed' ? (input.occurrences ?? 1) : 1;
    if (!Number.isFinite(scheduledAt) || !Number.isFinite(startedAt) || !Number.isFinite(finishedAt)) return false;
    if (typeof attempts !== 'number' || !Number.isFinite(attempts) || typeof occurrences !== 'number' || !Number.isFinite(occurrences)) return false;
    let bits = outcome | (record.manual === true ? MANUAL : 0) | (record.startedAt === null ? NOT_STARTED : 0);
    let text: string | undefined;
    let snapshot: unknown;
    const shaped = input.result === undefined ? -1 : this.writeShaped(input.result, slot);
    if (shaped >= 0) {
      bits |= RESULT | shaped;
    } else if (input.result !== undefined) {
      // A small result is copied (or kept: a primitive) and its JSON made off the run path, when
      // its batch is sent; any other is made into bounded JSON now.
      snapshot = resultSnapshot(input.result, RUN_LOG_RESULT_MAX_BYTES);
      if (snapshot !== NOT_SNAPPED) {
        bits |= RESULT;
      } else {
        snapshot = undefined;
        const json = boundedJson(input.result, RUN_LOG_RESULT_MAX_BYTES);
        if (json.ok) {
          text = json.text;
          bits |= RESULT;
        } else {
          bits |= json.reason === 'too_large' ? TOO_LARGE : NOT_SERIALIZABLE;
        }
      }
    }
    this.jobs[slot] = jobId;
    this.texts[slot] = text;
    this.snapshots[slot] = snapshot;
    const f = slot * F64_STRIDE;
    const { f64, i32 } = this;
    f64[f + SCHEDULED] = scheduledAt;
    f64[f + STARTED] = startedAt;
    f64[f + FINISHED] = finishedAt;
    f64[f + ATTEMPTS] = attempts;
    f64[f + OCCURRENCES] = occurrences;
    f64[f + ID_BITS] = Number.NaN; // drawn by the first reader: see capture()
    const b = slot * I32_STRIDE;
    i32[b + OWNER] = owner;
    i32[b + PROCESS] = process;
    i32[b + REQUESTED_BY] = requestedBy;
    i32[b + BITS] = bits;
    return true;
  }
}

/** A batch item: a record written as it is (already checked), or the ring slot of a queued run. */
export type RunLogBatchItem = RunLogRecord | number;

/**
 * The records of a batch: written records as they are (`write()` checked them), the runs of ring
 * slots assembled and checked; those that fail the check are left out and described in `refused`.
 * The batcher's backends and the PostgreSQL sink's writer thread (on its reader of the ring) share it.
 *
 * @throws Error when the batch holds a slot and no `ring` is given.
 */
export function recordsOfBatch(items: readonly RunLogBatchItem[], ring?: RunLogRing): { records: RunLogRecord[]; refused: RunLogRecordProblem[] } {
  const records: RunLogRecord[] = [];
  const refused: RunLogRecordProblem[] = [];
  for (const item of items) {
    if (typeof item !== 'number') {
      records.push(item);
      continue;
    }
    if (ring === undefined) throw new Error('recordsOfBatch: the batch holds queued runs (ring slots) but no ring was given');
    const record = assembleRunLogRecord(ring.capture(item));
    const problem = runLogRecordProblem(record);
    if (problem === null) records.push(record);
    else refused.push(problem);
  }
  return { records, refused };
}
