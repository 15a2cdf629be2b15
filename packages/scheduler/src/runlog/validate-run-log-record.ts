/**
 * The check every sink's `write()` runs before queueing a record, as a coded error.
 */
import { RunLogRecordInvalidError } from './run-log-errors.js';
import { runLogRecordProblem } from './run-log-check.js';
import type { RunLogRecord } from './run-log-record.js';

export { RUN_ID_PATTERN } from './run-log-check.js';

/**
 * Validates a record; throws {@link RunLogRecordInvalidError} naming the job and the field.
 *
 * @remarks See `runLogRecordProblem` (`run-log-check.ts`) for what is checked.
 */
export function validateRunLogRecord(record: RunLogRecord): void {
  const problem = runLogRecordProblem(record);
  if (problem !== null) throw new RunLogRecordInvalidError(problem.job, problem.field, problem.detail);
}
