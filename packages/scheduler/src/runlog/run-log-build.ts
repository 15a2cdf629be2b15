/**
 * Building a {@link RunLogRecord} from a finished run, in two steps that can run on different
 * threads: {@link captureRunLogInput} reads what the run's objects hold (on the thread that owns
 * them, cheaply), {@link assembleRunLogRecord} makes the record from that plain capture (anywhere:
 * a sink's writer thread).
 *
 * @remarks
 * Free of `@xcore/core` (it is also bundled alone as `@xcore/scheduler/run-log-kit`, which the
 * PostgreSQL sink's writer thread loads), so it throws nothing coded: checking a record is
 * `run-log-check.ts`'s part.
 */
import { randomFillSync } from 'node:crypto';
import type { RunRecord } from '../stores/store.js';
import { boundedJson } from './bounded-json.js';
import {
  RUN_LOG_ERROR_MESSAGE_MAX, RUN_LOG_ERROR_STACK_MAX, RUN_LOG_ID_MAX, RUN_LOG_RESULT_MAX_BYTES,
  type JsonValue, type RunLogOutcome, type RunLogRecord, type RunLogResultOmitted,
} from './run-log-record.js';

/** What {@link toRunLogRecord} needs about one finished run. */
export interface RunLogInput {
  /**
   * The run as the scheduler records it in the job's history (`jobId`, `scheduledAt`,
   * `startedAt`, `finishedAt`, `status`, `attempts`, `error` message, `owner` = the process,
   * `manual`, `requestedBy`). A `skipped` or `missed` record has no `finishedAt`:
   * {@link RunLogInput.decidedAt} (else now) is used.
   */
  readonly record: RunRecord;
  /** The job's owner: its plugin's name, or `config` for a job declared in `xcore.yaml`. */
  readonly jobOwner: string;
  /** The value the last attempt threw (for the stack); its message is used over `record.error`. */
  readonly error?: unknown;
  /** The handler's return value; `undefined` = none. Kept when plain JSON within the cap, else marked. */
  readonly result?: unknown;
  /** Who asked for a manual run (e.g. `cli`, `admin:alice`). @defaultValue `record.requestedBy` */
  readonly requestedBy?: string;
  /** For a `missed` record: how many occurrences the decision dropped. @defaultValue `1` */
  readonly occurrences?: number;
  /** When a never-started run (`skipped`, `missed`) was decided, epoch ms. @defaultValue `Date.now()` */
  readonly decidedAt?: number;
  /** The record's id; a fresh UUID v7 when absent. */
  readonly runId?: string;
}

/**
 * A finished run as plain data (strings, numbers, `null`): what {@link captureRunLogInput} read of
 * a {@link RunLogInput}, ready to cross a thread as JSON. Positions as named in the tuple type.
 *
 * @remarks
 * The run id is fixed at capture (either the input's, or the random bits it will be made of), so a
 * batch assembled again after a lost answer gets the same ids and stores nothing twice.
 */
export type RunLogCapture = readonly [
  jobId: string, owner: string, outcome: RunLogOutcome, scheduledAt: number, startedAt: number | null, finishedAt: number,
  attempts: number, occurrences: number, errorMessage: string | null, errorStack: string | null, manual: boolean,
  requestedBy: string | null, process: string | null, resultJson: string | null, resultOmitted: RunLogResultOmitted | null,
  runId: string | null, idBitsHigh: number, idBitsLow: number,
];

/** Random bytes drawn 4 KiB at a time: one `randomFillSync` per ~450 ids instead of one per id. */
const POOL = Buffer.alloc(4096);
let poolAt = POOL.length;
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** 72 random bits as two whole numbers (36 bits each, exact in a double). */
function randomBits(): [number, number] {
  drawRunIdBits(BITS, 0);
  return [BITS[0]!, BITS[1]!];
}

const BITS = new Float64Array(2);

/** The offset of 9 fresh random bytes in {@link POOL}. */
function drawPool(): number {
  if (poolAt + 9 > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  const o = poolAt;
  poolAt += 9;
  return o;
}

/**
 * Writes the 72 random bits of a new run id into `into[at]` (high 36) and `into[at + 1]` (low 36),
 * as {@link captureRunLogInput} draws them, without allocating (the run-log ring's columns).
 */
export function drawRunIdBits(into: Float64Array, at: number): void {
  const o = drawPool();
  into[at] = POOL.readUInt32BE(o) * 16 + (POOL[o + 4]! >> 4);
  into[at + 1] = (POOL[o + 4]! & 0x0f) * 2 ** 32 + POOL.readUInt32BE(o + 5);
}

/** The first `8-4-` of an id for the last epoch ms seen (ids made in the same ms share it). */
let lastMs = -1;
let lastPrefix = '';

/**
 * The UUID v7 of epoch ms `now` and 72 random bits (`high`, `low`: 36 bits each): 12 after the
 * version nibble, 14 beside the variant bits, 46 in the last group. The same inputs give the same id.
 */
export function runLogIdFrom(now: number, high: number, low: number): string {
  const whole = Math.max(0, Math.min(0xffff_ffff_ffff, Math.floor(now)));
  if (whole !== lastMs) {
    const ms = whole.toString(16).padStart(12, '0');
    lastMs = whole;
    lastPrefix = `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7`;
  }
  const h = high.toString(16).padStart(9, '0') + low.toString(16).padStart(9, '0'); // 18 hex digits, 72 bits
  const split = parseInt(h.charAt(3), 16); // 2 bits beside the variant, 2 at the very end
  return `${lastPrefix}${h.slice(0, 3)}-${(8 | (split & 3)).toString(16)}${h.slice(4, 7)}-${h.slice(7, 18)}${(split >> 2).toString(16)}`;
}

/**
 * A new run id: a UUID version 7 (48 bits of epoch ms, then random), so ids sort by creation time
 * and a B-tree index on them is appended to rather than written all over.
 *
 * @param now - epoch ms to embed. @defaultValue `Date.now()`
 */
export function newRunLogId(now: number = Date.now()): string {
  const [high, low] = randomBits();
  return runLogIdFrom(now, high, low);
}

const NUL = /\u0000/g;

/** Text made storable: NUL replaced by U+FFFD, cut to `max` characters (ending with `…` when cut). */
function capText(value: string, max: number): string {
  const clean = value.includes('\u0000') ? value.replace(NUL, '\uFFFD') : value;
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}

/** The message of a thrown value, never throwing itself (a hostile `toString` gives a placeholder). */
function messageOf(error: unknown): string {
  try {
    if (error instanceof Error) return error.message;
    return String(error);
  } catch {
    return '(the thrown value cannot be turned into text)';
  }
}

function stackOf(error: unknown): string | null {
  try {
    return error instanceof Error && typeof error.stack === 'string' ? capText(error.stack, RUN_LOG_ERROR_STACK_MAX) : null;
  } catch {
    return null;
  }
}

/**
 * Reads what a record needs of a finished run's objects, once: ids, times, the error's message
 * and stack (capped), the result as bounded JSON text (a copy: the handler may change its object
 * afterwards), the run id or the random bits it will be made of. Never throws for a hostile
 * thrown value or result; the capture may still make an invalid record (e.g. an empty job id),
 * which checking the assembled record reports.
 */
export function captureRunLogInput(input: RunLogInput): RunLogCapture {
  const { record } = input;
  // Whole ms: times are the paging key, and a backend's dates keep milliseconds.
  const finishedAt = Math.round(record.finishedAt ?? input.decidedAt ?? Date.now());
  const startedAt = record.startedAt === null ? null : Math.round(record.startedAt);
  const message = input.error !== undefined ? messageOf(input.error) : record.error;
  const requestedBy = input.requestedBy ?? record.requestedBy;
  let resultJson: string | null = null;
  let resultOmitted: RunLogResultOmitted | null = null;
  if (input.result !== undefined) {
    const json = boundedJson(input.result, RUN_LOG_RESULT_MAX_BYTES);
    if (json.ok) resultJson = json.text;
    else resultOmitted = json.reason;
  }
  const [high, low] = input.runId === undefined ? randomBits() : [0, 0];
  return [
    record.jobId, input.jobOwner, record.status, Math.round(record.scheduledAt), startedAt, finishedAt,
    record.attempts, record.status === 'missed' ? (input.occurrences ?? 1) : 1,
    message === undefined ? null : capText(message, RUN_LOG_ERROR_MESSAGE_MAX),
    input.error === undefined ? null : stackOf(input.error),
    record.manual === true,
    requestedBy === undefined ? null : capText(requestedBy, RUN_LOG_ID_MAX),
    record.owner ?? null, resultJson, resultOmitted, input.runId ?? null, high, low,
  ];
}

/** The record a {@link RunLogCapture} describes (not checked: see `runLogRecordProblem`). */
export function assembleRunLogRecord(c: RunLogCapture): RunLogRecord {
  const [jobId, owner, outcome, scheduledAt, startedAt, finishedAt, attempts, occurrences, errorMessage, errorStack, manual, requestedBy, process, resultJson, resultOmitted, runId, high, low] = c;
  return {
    runId: runId ?? runLogIdFrom(finishedAt, high, low),
    jobId, owner, outcome, scheduledAt, startedAt, finishedAt,
    durationMs: startedAt === null ? null : Math.max(0, finishedAt - startedAt),
    attempts, occurrences, errorMessage, errorStack, manual, requestedBy, process,
    result: resultJson === null ? null : (JSON.parse(resultJson) as JsonValue),
    resultOmitted,
  };
}

/** {@link captureRunLogInput} then {@link assembleRunLogRecord}: the record of a run, not yet checked. */
export function buildRunLogRecord(input: RunLogInput): RunLogRecord {
  return assembleRunLogRecord(captureRunLogInput(input));
}
