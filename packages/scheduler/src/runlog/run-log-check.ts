/**
 * The check every run-log record passes before it is stored: hand-written (no schema library on a
 * path taken 10k times a second), reporting the first problem found with the field's name.
 *
 * @remarks
 * Free of `@xcore/core` (bundled alone as `@xcore/scheduler/run-log-kit` for the PostgreSQL
 * sink's writer thread); `validateRunLogRecord` turns a problem into a coded error.
 */
import { jsonFits } from './bounded-json.js';
import {
  RUN_LOG_ERROR_MESSAGE_MAX, RUN_LOG_ERROR_STACK_MAX, RUN_LOG_ID_MAX, RUN_LOG_OUTCOMES, RUN_LOG_RESULT_MAX_BYTES,
  type RunLogRecord,
} from './run-log-record.js';

/** A lowercase UUID (any version), the form {@link RunLogRecord.runId} takes. */
export const RUN_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Latest epoch ms accepted (year 9999): later is a unit mistake (µs or ns), not a time. */
export const RUN_LOG_TIME_MAX = 253_402_300_799_999;
const MAX_TIME = RUN_LOG_TIME_MAX;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/** Carries the first problem out of the nested checks. */
class Found {
  constructor(readonly problem: RunLogRecordProblem) {}
}

/** What is wrong with a record: the first field found, and how. */
export interface RunLogRecordProblem {
  /** The job's id as JSON text (cut to 80 characters), or `?` when it is not a string. */
  readonly job: string;
  readonly field: string;
  readonly detail: string;
}

/**
 * Checks a record; returns its first problem, or `null` when it is valid.
 *
 * @remarks
 * Checks: every field present with its type; `runId` a lowercase UUID; ids non-empty and at most
 * {@link RUN_LOG_ID_MAX} characters; times whole epoch ms (the sort key of paging: a fraction would not survive a
 * backend's millisecond dates) with `startedAt <= finishedAt`;
 * `durationMs` null exactly when `startedAt` is; `attempts` and `occurrences` whole numbers
 * (`occurrences` above 1 only for `missed`); texts within their caps; no NUL in any string; `result`
 * plain JSON within {@link RUN_LOG_RESULT_MAX_BYTES}, and `null` when `resultOmitted` is set.
 */
export function runLogRecordProblem(record: RunLogRecord): RunLogRecordProblem | null {
  if (typeof record !== 'object' || record === null) return { job: '?', field: 'record', detail: `must be an object, found ${describe(record)}` };
  const r = record as unknown as Record<keyof RunLogRecord, unknown>;
  // The job's name is built only for a message: this runs 10k times a second on the run path.
  const fail = (field: string, detail: string): never => {
    throw new Found({ job: typeof r.jobId === 'string' ? JSON.stringify(r.jobId.slice(0, 80)) : '?', field, detail });
  };
  const text = (field: keyof RunLogRecord, max: number, nullable: boolean): void => {
    const value = r[field];
    if (value === null && nullable) return;
    if (typeof value !== 'string') return fail(field, `must be a string${nullable ? ' or null' : ''}, found ${describe(value)}`);
    if (!nullable && value.length === 0) return fail(field, 'must not be empty');
    if (value.length > max) return fail(field, `must be at most ${max} characters, found ${value.length}`);
    if (value.includes('\u0000')) fail(field, 'must not contain a NUL character');
  };
  const time = (field: keyof RunLogRecord, nullable: boolean): void => {
    const value = r[field];
    if (value === null && nullable) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_TIME) {
      fail(field, `must be whole epoch milliseconds${nullable ? ' or null' : ''}, found ${describe(value)}`);
    }
  };
  const count = (field: keyof RunLogRecord, min: number): void => {
    const value = r[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 2_147_483_647) {
      fail(field, `must be a whole number >= ${min}, found ${describe(value)}`);
    }
  };

  try {
    if (typeof r.runId !== 'string' || !RUN_ID_PATTERN.test(r.runId)) fail('runId', `must be a lowercase UUID, found ${describe(r.runId)}`);
    text('jobId', RUN_LOG_ID_MAX, false);
    text('owner', RUN_LOG_ID_MAX, false);
    if (!RUN_LOG_OUTCOMES.includes(r.outcome as never)) fail('outcome', `must be one of ${RUN_LOG_OUTCOMES.join(', ')}, found ${describe(r.outcome)}`);
    time('scheduledAt', false);
    time('startedAt', true);
    time('finishedAt', false);
    if (r.startedAt !== null && (r.startedAt as number) > (r.finishedAt as number)) fail('startedAt', `must not be after finishedAt (${String(r.finishedAt)}), found ${String(r.startedAt)}`);
    if (r.startedAt === null) {
      if (r.durationMs !== null) fail('durationMs', `must be null when startedAt is null, found ${describe(r.durationMs)}`);
    } else if (typeof r.durationMs !== 'number' || !Number.isFinite(r.durationMs) || r.durationMs < 0) {
      fail('durationMs', `must be a non-negative number when startedAt is set, found ${describe(r.durationMs)}`);
    }
    count('attempts', 0);
    count('occurrences', 1);
    if ((r.occurrences as number) > 1 && r.outcome !== 'missed') fail('occurrences', `must be 1 for outcome ${String(r.outcome)}, found ${String(r.occurrences)}`);
    text('errorMessage', RUN_LOG_ERROR_MESSAGE_MAX, true);
    text('errorStack', RUN_LOG_ERROR_STACK_MAX, true);
    if (typeof r.manual !== 'boolean') fail('manual', `must be a boolean, found ${describe(r.manual)}`);
    text('requestedBy', RUN_LOG_ID_MAX, true);
    text('process', RUN_LOG_ID_MAX, true);
    if (r.resultOmitted !== null && r.resultOmitted !== 'too_large' && r.resultOmitted !== 'not_serializable') {
      fail('resultOmitted', `must be null, "too_large" or "not_serializable", found ${describe(r.resultOmitted)}`);
    }
    if (r.result === undefined) fail('result', 'must be a JSON value or null, found undefined');
    if (r.result !== null) {
      if (r.resultOmitted !== null) fail('result', `must be null when resultOmitted is set (${String(r.resultOmitted)})`);
      const json = jsonFits(r.result, RUN_LOG_RESULT_MAX_BYTES, { rejectNul: true });
      if (!json.ok) fail('result', json.reason === 'too_large' ? `must be at most ${RUN_LOG_RESULT_MAX_BYTES} bytes of JSON` : 'must be plain JSON data with no NUL character');
    }
  } catch (found) {
    if (found instanceof Found) return found.problem;
    throw found;
  }
  return null;
}
