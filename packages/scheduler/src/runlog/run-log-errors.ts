/**
 * The coded errors of the run-log contract (`runlog/`): records and queries a sink refuses, a sink
 * used after `close()`, and a configured backend package that cannot be loaded.
 *
 * @remarks
 * Kept beside the contract rather than in the scheduler's `errors.ts` so the run-log folder stands
 * on its own; the codes are unique across every package (`test/error-codes.test.ts`).
 */
import { XcoreError, type XcoreErrorOptions } from '@xcore/core';

/**
 * Documentation of every code thrown by the run-log contract: code, then what it means and what to do.
 */
export const RUN_LOG_ERROR_CODES: Readonly<Record<string, string>> = {
  XCORE_ERR_RUNLOG_RECORD_INVALID:
    'A run-log record was refused by `write()` before it was queued: a field is missing, of the wrong type, out of ' +
    'range or too long. The message names the job and the field. Build records with `toRunLogRecord()`.',
  XCORE_ERR_RUNLOG_QUERY_INVALID:
    'A run-log query filter was refused: an unknown key, an unknown outcome, a time that is not a date, `from` after ' +
    '`to`, a limit outside 1..1000, or a cursor that is malformed or made for another `timeField`. The message names the key.',
  XCORE_ERR_RUNLOG_CLOSED:
    'A run-log sink was used after `close()`. Close the sink only after the scheduler has stopped, and create a new ' +
    'sink to log again.',
  XCORE_ERR_RUNLOG_OPTIONS_INVALID:
    'Options of a run-log sink or of its batching queue are invalid (batch size, flush interval, queue limit, ' +
    'capacity). The message names the option, the value found and the allowed range.',
  XCORE_ERR_RUNLOG_BACKEND_MISSING:
    '`services.scheduler.runLog` names a backend whose package is not installed where the app can load it (e.g. ' +
    '`@xcore/runlog-postgres` for `backend: postgres`). Add the package to the app and run `pnpm install`.',
  XCORE_ERR_RUNLOG_BACKEND_INVALID:
    'The run-log backend package was found but could not be used: importing it threw, or it does not export ' +
    '`createRunLogSink`. The message names the package and the cause; reinstall it at the version of @xcore/scheduler.',
};

/** A record `write()` refused; nothing was queued. Code `XCORE_ERR_RUNLOG_RECORD_INVALID`. */
export class RunLogRecordInvalidError extends XcoreError {
  /**
   * @param jobId - the record's job id as found (quoted), or `?` when it has none.
   * @param field - the record field, e.g. `finishedAt`.
   * @param detail - what was wrong, with the value found.
   */
  constructor(jobId: string, field: string, detail: string, options?: XcoreErrorOptions) {
    super(
      'XCORE_ERR_RUNLOG_RECORD_INVALID',
      `run log: record of job ${jobId} refused: ${field} ${detail}; build records with toRunLogRecord().`,
      options,
    );
  }
}

/** A query filter a sink refused; nothing was read. Code `XCORE_ERR_RUNLOG_QUERY_INVALID`. */
export class RunLogQueryInvalidError extends XcoreError {
  /**
   * @param key - the filter key, e.g. `limit`.
   * @param detail - what was wrong and what is accepted.
   */
  constructor(key: string, detail: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_RUNLOG_QUERY_INVALID', `run log query: ${key} ${detail}`, options);
  }
}

/** A sink was used after `close()`. Code `XCORE_ERR_RUNLOG_CLOSED`. */
export class RunLogClosedError extends XcoreError {
  /** @param sink - the sink kind, e.g. `postgres`. @param method - the method called. */
  constructor(sink: string, method: string, options?: XcoreErrorOptions) {
    super(
      'XCORE_ERR_RUNLOG_CLOSED',
      `${sink} run log: ${method}() was called after close(); close the sink only after the scheduler has stopped.`,
      options,
    );
  }
}

/** Options of a sink or of its batching queue are invalid. Code `XCORE_ERR_RUNLOG_OPTIONS_INVALID`. */
export class RunLogOptionsInvalidError extends XcoreError {
  /** @param option - the option name. @param detail - the value found and the allowed range. */
  constructor(option: string, detail: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_RUNLOG_OPTIONS_INVALID', `run log option ${option} ${detail}`, options);
  }
}

/** The configured backend's package is not installed. Code `XCORE_ERR_RUNLOG_BACKEND_MISSING`. */
export class RunLogBackendMissingError extends XcoreError {
  /** @param backend - the configured backend, e.g. `postgres`. @param pkg - the package it needs. */
  constructor(backend: string, pkg: string, options?: XcoreErrorOptions) {
    super(
      'XCORE_ERR_RUNLOG_BACKEND_MISSING',
      `services.scheduler.runLog.backend is "${backend}" but the package ${pkg} is not installed where the app can ` +
        `load it; add it to the app (pnpm add ${pkg}) and run pnpm install, or remove services.scheduler.runLog.`,
      options,
    );
  }
}

/** The backend package loaded but cannot be used. Code `XCORE_ERR_RUNLOG_BACKEND_INVALID`. */
export class RunLogBackendInvalidError extends XcoreError {
  /** @param pkg - the package. @param detail - what went wrong. */
  constructor(pkg: string, detail: string, options?: XcoreErrorOptions) {
    super(
      'XCORE_ERR_RUNLOG_BACKEND_INVALID',
      `run log backend ${pkg}: ${detail}; reinstall it at the version of @xcore/scheduler.`,
      options,
    );
  }
}
