/**
 * Builds the {@link RunLogRecord} of a finished run from what the scheduler holds when the run ends:
 * the history record it stores, the job's owner, the thrown value and the handler's return value.
 */
import { buildRunLogRecord, type RunLogInput } from './run-log-build.js';
import {
  RUN_LOG_ERROR_MESSAGE_MAX, RUN_LOG_ERROR_STACK_MAX, RUN_LOG_RESULT_MAX_BYTES, type RunLogRecord,
} from './run-log-record.js';
import { validateRunLogRecord } from './validate-run-log-record.js';

export { newRunLogId, type RunLogInput } from './run-log-build.js';

/**
 * Builds the run-log record of one finished run, ready for {@link RunLogSink.write}.
 *
 * @remarks
 * Error texts are capped ({@link RUN_LOG_ERROR_MESSAGE_MAX}, {@link RUN_LOG_ERROR_STACK_MAX}) and
 * their NUL characters replaced; the result is kept only when it is plain JSON within
 * {@link RUN_LOG_RESULT_MAX_BYTES}, else `resultOmitted` says why. The cost is bounded by those
 * caps, whatever the handler returned or threw. `requestedBy` defaults to `record.requestedBy`.
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
  const built = buildRunLogRecord(input);
  validateRunLogRecord(built);
  return built;
}

