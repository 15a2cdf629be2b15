/** Types of `copy-rows.mjs` (plain JavaScript run by the writer thread): see that file. */
import type { RunLogRecord, RunLogRecordProblem, RunLogRing, RunLogSlotFields } from '@xcore/scheduler/run-log-kit';

/** The columns in the order each row's fields are written (the `COPY` statement names them). */
export declare const COPY_COLUMNS: readonly string[];

/** The COPY binary data of `records` (checked run-log records), header and trailer included. */
export declare function copyRows(records: readonly RunLogRecord[]): Buffer;

/** Encodes a ring's string-table texts as COPY fields, once per text. */
export declare class RingFields {
  constructor(ring: RunLogRing);
  readonly ring: RunLogRing;
  readonly slot: RunLogSlotFields;
  /** The COPY field of string-table text `id` (or NULL). */
  field(id: number): Buffer;
}

/**
 * The COPY binary data of a batch: `written` records and the queued runs of `slots`, read from the
 * ring of `fields`; runs whose record fails the check are left out and described in `refused`.
 */
export declare function copyBatch(
  written: readonly RunLogRecord[],
  fields: RingFields | undefined,
  slots: ArrayLike<number>,
): { data: Buffer; rows: number; refused: RunLogRecordProblem[] };
