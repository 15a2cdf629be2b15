/**
 * The catalogue of coded errors thrown by `@xcore/scheduler`.
 *
 * @remarks
 * Every error is an `XcoreError` subclass with a stable `code`, documented in
 * {@link SCHEDULER_ERROR_CODES}. Messages say what was wrong, where (job id, plugin, file:line:col)
 * and what to do. Match errors by `code` (see `isXcoreError`), not by `instanceof`.
 */
import { XcoreError, type XcoreErrorOptions } from '@xcore/core';

/**
 * Documentation of every code thrown by `@xcore/scheduler`: code, then what it means and what to do.
 *
 * @remarks
 * Kept beside the classes so `errors.test.ts` can check each class's code is listed here once.
 */
export const SCHEDULER_ERROR_CODES: Readonly<Record<string, string>> = {
  XCORE_ERR_JOB_CONFLICT:
    'A job with this id is already registered (by this process or by another owner). Nothing was changed. Pick another id or pass `replaceExisting: true`.',
  XCORE_ERR_JOB_NOT_FOUND: 'No job has this id (for a plugin view: among the plugin\'s own jobs). Check `jobs()` for the ids that exist.',
  XCORE_ERR_JOB_INVALID:
    'A job definition is malformed: missing id, no trigger or two kinds of trigger, a zero or negative interval, a negative policy value. The message names the job and the field.',
  XCORE_ERR_JOB_FUNC_INVALID:
    'A YAML job\'s `func` cannot be resolved: module not found, export missing or not a function. The message gives file:line:col and the job id.',
  XCORE_ERR_SCHEDULER_PLUGIN_STOPPED:
    'A plugin tried to register or control jobs after it stopped. Register jobs in `onStart`; a reloaded plugin gets a fresh view.',
  XCORE_ERR_SCHEDULER_STOPPED: 'The scheduler has been stopped; no new runs start. Create a new host to schedule again.',
  XCORE_ERR_SCHEDULER_BACKEND_UNAVAILABLE:
    'The configured backend cannot be created (e.g. `backend: redis` without the Redis store or without `url`).',
};

/** Thrown when a job id is already taken; nothing was changed. */
export class JobConflictError extends XcoreError {
  constructor(message: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_JOB_CONFLICT', message, options);
  }
}

/** Thrown when a job id is unknown (or belongs to another plugin). */
export class JobNotFoundError extends XcoreError {
  constructor(message: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_JOB_NOT_FOUND', message, options);
  }
}

/** Thrown for a malformed job definition (trigger, policy or id). */
export class JobInvalidError extends XcoreError {
  constructor(message: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_JOB_INVALID', message, options);
  }
}

/** Thrown at boot when a YAML job's `func` cannot be resolved to a function. */
export class JobFuncInvalidError extends XcoreError {
  constructor(message: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_JOB_FUNC_INVALID', message, options);
  }
}

/** Thrown when a stopped plugin's scheduler view is used to register or control jobs. */
export class SchedulerPluginStoppedError extends XcoreError {
  constructor(message: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_SCHEDULER_PLUGIN_STOPPED', message, options);
  }
}

/** Thrown when the scheduler is used after `stop`. */
export class SchedulerStoppedError extends XcoreError {
  constructor(message: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_SCHEDULER_STOPPED', message, options);
  }
}

/** Thrown when the configured backend cannot be created. */
export class SchedulerBackendUnavailableError extends XcoreError {
  constructor(message: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_SCHEDULER_BACKEND_UNAVAILABLE', message, options);
  }
}
