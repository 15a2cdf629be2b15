/**
 * Builds the {@link RunLogRecord} of a finished run from what the scheduler holds when the run ends:
 * the history record it stores, the job's owner, the thrown value and the handler's return value.
 */
import { randomFillSync } from 'node:crypto';
import type { RunRecord } from '../stores/store.js';
import { boundedJson } from './bounded-json.js';
import {
  RUN_LOG_ERROR_MESSAGE_MAX, RUN_LOG_ERROR_STACK_MAX, RUN_LOG_ID_MAX, RUN_LOG_RESULT_MAX_BYTES,
  type JsonValue, type RunLogRecord, type RunLogResultOmitted,
} from './run-log-record.js';
import { validateRunLogRecord } from './validate-run-log-record.js';

/** What {@link toRunLogRecord} needs about one finished run. */
export interface RunLogInput {
  /**
   * The run as the scheduler records it in the job's history (`jobId`, `scheduledAt`,
   * `startedAt`, `finishedAt`, `status`, `attempts`, `error` message, `owner` = the process,
   * `manual`). A `skipped` or `missed` record has no `finishedAt`: {@link RunLogInput.decidedAt}
   * (else now) is used.
   */
  readonly record: RunRecord;
  /** The job's owner: its plugin's name, or `config` for a job declared in `xcore.yaml`. */
  readonly jobOwner: string;
  /** The value the last attempt threw (for the stack); its message is used over `record.error`. */
  readonly error?: unknown;
  /** The handler's return value; `undefined` = none. Kept when plain JSON within the cap, else marked. */
  readonly result?: unknown;
  /** Who asked for a manual run (e.g. `cli`, `admin:alice`). */
  readonly requestedBy?: string;
  /** For a `missed` record: how many occurrences the decision dropped. @defaultValue `1` */
  readonly occurrences?: number;
  /** When a never-started run (`skipped`, `missed`) was decided, epoch ms. @defaultValue `Date.now()` */
  readonly decidedAt?: number;
  /** The record's id; a fresh UUID v7 when absent. */
  readonly runId?: string;
}

/** Random bytes drawn 4 KiB at a time: one `randomFillSync` per ~400 ids instead of one per id. */
const POOL = Buffer.alloc(4096);
let poolAt = POOL.length;
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** The first `8-4-` of an id for the last epoch ms seen (ids made in the same ms share it). */
let lastMs = -1;
let lastPrefix = '';

/**
 * A new run id: a UUID version 7 (48 bits of epoch ms, then random), so ids sort by creation time
 * and a B-tree index on them is appended to rather than written all over.
 *
 * @param now - epoch ms to embed. @defaultValue `Date.now()`
 */
export function newRunLogId(now: number = Date.now()): string {
  const whole = Math.max(0, Math.min(0xffff_ffff_ffff, Math.floor(now)));
  if (whole !== lastMs) {
    const ms = whole.toString(16).padStart(12, '0');
    lastMs = whole;
    lastPrefix = `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7`;
  }
  if (poolAt + 9 > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  // 72 random bits from 9 bytes: 12 after the version nibble, 6 beside the variant bits, 54 in the rest.
  const b = POOL;
  const o = poolAt;
  poolAt += 9;
  return `${lastPrefix}${HEX[b[o]! & 0x0f]!.charAt(1)}${HEX[b[o + 1]!]!}-${HEX[(b[o + 2]! & 0x3f) | 0x80]!}${HEX[b[o + 3]!]!}-${HEX[b[o + 4]!]!}${HEX[b[o + 5]!]!}${HEX[b[o + 6]!]!}${HEX[b[o + 7]!]!}${HEX[b[o + 8]!]!}${HEX[b[o + 2]! >> 6]!.charAt(1)}${HEX[b[o]! >> 4]!.charAt(1)}`;
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

function resultOf(value: unknown): { result: JsonValue | null; resultOmitted: RunLogResultOmitted | null } {
  if (value === undefined) return { result: null, resultOmitted: null };
  const json = boundedJson(value, RUN_LOG_RESULT_MAX_BYTES);
  // Parsed back so the record holds its own copy: the handler may change its object afterwards.
  return json.ok ? { result: JSON.parse(json.text) as JsonValue, resultOmitted: null } : { result: null, resultOmitted: json.reason };
}

/**
 * Builds the run-log record of one finished run, ready for {@link RunLogSink.write}.
 *
 * @remarks
 * Error texts are capped ({@link RUN_LOG_ERROR_MESSAGE_MAX}, {@link RUN_LOG_ERROR_STACK_MAX}) and
 * their NUL characters replaced; the result is kept only when it is plain JSON within
 * {@link RUN_LOG_RESULT_MAX_BYTES}, else `resultOmitted` says why. The cost is bounded by those
 * caps, whatever the handler returned or threw.
 *
 * @throws {@link RunLogRecordInvalidError} when the input cannot make a valid record (e.g. an empty
 * job id, a non-finite time): a caller bug, reported before anything is queued.
 *
 * @example
 * ```ts
 * // where the scheduler has finished a run (see @xcore/runlog-postgres README, "Wiring"):
 * sink.write(toRunLogRecord({ record, jobOwner: definition.owner, error: outcome.error, result: outcome.value }));
 * ```
 */
export function toRunLogRecord(input: RunLogInput): RunLogRecord {
  const { record } = input;
  // Whole ms: times are the paging key, and a backend's dates keep milliseconds.
  const finishedAt = Math.round(record.finishedAt ?? input.decidedAt ?? Date.now());
  const startedAt = record.startedAt === null ? null : Math.round(record.startedAt);
  const message = input.error !== undefined ? messageOf(input.error) : record.error;
  const built: RunLogRecord = {
    runId: input.runId ?? newRunLogId(finishedAt),
    jobId: record.jobId,
    owner: input.jobOwner,
    outcome: record.status,
    scheduledAt: Math.round(record.scheduledAt),
    startedAt,
    finishedAt,
    durationMs: startedAt === null ? null : Math.max(0, finishedAt - startedAt),
    attempts: record.attempts,
    occurrences: record.status === 'missed' ? (input.occurrences ?? 1) : 1,
    errorMessage: message === undefined ? null : capText(message, RUN_LOG_ERROR_MESSAGE_MAX),
    errorStack: input.error === undefined ? null : stackOf(input.error),
    manual: record.manual === true,
    requestedBy: input.requestedBy === undefined ? null : capText(input.requestedBy, RUN_LOG_ID_MAX),
    process: record.owner ?? null,
    ...resultOf(input.result),
  };
  validateRunLogRecord(built);
  return built;
}
