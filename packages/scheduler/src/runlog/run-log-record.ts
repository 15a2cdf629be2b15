/**
 * The record a run-log sink stores for each finished run: what ran, when, how it ended, and who
 * asked for it.
 *
 * @remarks
 * Which outcomes the log holds: every occurrence the scheduler decided about, once it is decided.
 * - `succeeded`, `failed`, `timed_out`, `aborted`: the run was dispatched and has ended (all its
 *   attempts); `startedAt` and `durationMs` are set, except for an `aborted` run lost with its
 *   process, whose start this process never saw.
 * - `crashed`, `out_of_memory`: a run on the `thread` or `process` executor whose worker or child
 *   ended before the job did, or passed its memory cap and was killed.
 * - `skipped`: the occurrence was due but not started because `maxInstances` runs were in progress
 *   (`overlap: skip`); never started, so `startedAt` and `durationMs` are `null`, `attempts` 0.
 * - `missed`: occurrences the misfire/coalesce policy dropped after downtime or a blocked loop. One
 *   record stands for one such decision, `occurrences` says how many occurrences it covers (a day
 *   of downtime of a per-second job is one record, not 86,400).
 *
 * `finishedAt` is never `null`: for a run, when its last attempt ended; for `skipped` and `missed`,
 * when the scheduler decided. Queries order and page by it (or by `scheduledAt`).
 */

/** How a logged run ended. See the module remarks for what each outcome means here. */
export type RunLogOutcome = 'succeeded' | 'failed' | 'timed_out' | 'aborted' | 'crashed' | 'out_of_memory' | 'skipped' | 'missed';

/** Every {@link RunLogOutcome}, in a fixed order (for validation, SQL checks and docs). */
export const RUN_LOG_OUTCOMES: readonly RunLogOutcome[] = Object.freeze(['succeeded', 'failed', 'timed_out', 'aborted', 'crashed', 'out_of_memory', 'skipped', 'missed']);

/** A JSON value as stored in {@link RunLogRecord.result}. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * Why a handler's return value is not in the record: `too_large` (its JSON is over
 * {@link RUN_LOG_RESULT_MAX_BYTES}), `not_serializable` (not plain JSON data: a function, symbol,
 * bigint, `NaN`/`Infinity`, a cycle, a `Map`, a class instance, a buffer).
 */
export type RunLogResultOmitted = 'too_large' | 'not_serializable';

/**
 * The largest handler result kept, as UTF-8 bytes of its JSON text: 8 KiB.
 *
 * @remarks
 * A run log row should stay a few hundred bytes at 10k runs a second; a result is meant for a
 * count or a short summary, not a payload. A larger value is replaced by the marker `too_large`.
 */
export const RUN_LOG_RESULT_MAX_BYTES = 8192;

/** Longest error message kept, in characters; a longer one is cut and ends with `…`. */
export const RUN_LOG_ERROR_MESSAGE_MAX = 4096;

/** Longest error stack kept, in characters; a longer one is cut and ends with `…`. */
export const RUN_LOG_ERROR_STACK_MAX = 16_384;

/** Longest id-like text (job id, owner, process, requestedBy) a record may hold. */
export const RUN_LOG_ID_MAX = 512;

/**
 * One finished run in the run log.
 *
 * @remarks
 * Times are epoch milliseconds. Strings hold no NUL character (PostgreSQL text cannot store one;
 * {@link toRunLogRecord} replaces it with U+FFFD). Build records with {@link toRunLogRecord}: it
 * fills the run id, caps the error texts and bounds the result.
 */
export interface RunLogRecord {
  /**
   * The run's id: a lowercase UUID (version 7 from {@link toRunLogRecord}, so ids sort by time).
   * Stable for the record's life: a batch retried after a lost answer stores nothing twice.
   */
  readonly runId: string;
  /** The job id as the scheduler knows it (a plugin's job is `plugin:id`). */
  readonly jobId: string;
  /** Who owns the job: the plugin name, or `config` for jobs declared in `xcore.yaml`. */
  readonly owner: string;
  /** How it ended. */
  readonly outcome: RunLogOutcome;
  /** The occurrence (trigger time), or the request time for a manual run. For `missed`, the first missed occurrence when known. */
  readonly scheduledAt: number;
  /** When the first attempt started; `null` when the run never started (`skipped`, `missed`, a run lost with its process). */
  readonly startedAt: number | null;
  /** When the outcome was decided (last attempt ended, or the skip/miss decision). */
  readonly finishedAt: number;
  /** `finishedAt - startedAt`, or `null` when the run never started. */
  readonly durationMs: number | null;
  /** Attempts made (1 = no retry; 0 for `skipped` and `missed`). */
  readonly attempts: number;
  /** Occurrences this record stands for: 1, except for a `missed` record covering several. */
  readonly occurrences: number;
  /** The last attempt's error message (cut to {@link RUN_LOG_ERROR_MESSAGE_MAX}); `null` when none. */
  readonly errorMessage: string | null;
  /** The last attempt's error stack (cut to {@link RUN_LOG_ERROR_STACK_MAX}); `null` when none. */
  readonly errorStack: string | null;
  /** `true` for a run requested outside the schedule (`runJob`, admin API, CLI). */
  readonly manual: boolean;
  /** Who asked for a manual run (e.g. `cli`, `admin:alice`); `null` when not said or not manual. */
  readonly requestedBy: string | null;
  /** The scheduler process that decided or ran it (its owner id in store claims and slots); `null` when unknown. */
  readonly process: string | null;
  /** The value the handler returned, when it is plain JSON of at most {@link RUN_LOG_RESULT_MAX_BYTES}; `null` when none. */
  readonly result: JsonValue | null;
  /** Set when the handler returned a value that is not kept (`result` is then `null`). */
  readonly resultOmitted: RunLogResultOmitted | null;
}
