/**
 * The catalogue of coded errors thrown by `@xcore/scheduler`.
 *
 * @remarks
 * Every error is an `XcoreError` subclass (from `@xcore/core`) with a stable `XCORE_ERR_...`
 * code, documented once in {@link SCHEDULER_ERROR_CODES}. Messages say what was wrong, where
 * (job id, key path, file:line:col) and what to do. Match errors by `code`, not `instanceof`.
 */
import { XcoreError, type XcoreErrorOptions } from '@xcore/core';

/**
 * Documentation of every code thrown by `@xcore/scheduler`: code, then what it means and what to do.
 *
 * @remarks
 * Kept beside the classes so a test can check each class's code is listed here exactly once.
 */
export const SCHEDULER_ERROR_CODES: Readonly<Record<string, string>> = {
  XCORE_ERR_STORE_CLOSED:
    'A store method was called after `close()`. Create a new store, or stop using it once the scheduler stopped.',
  XCORE_ERR_STORE_INVALID_INPUT:
    'A store method got an argument outside its domain (non-finite time, lease or limit below 1, empty id). ' +
    'This is a caller bug; the message names the method and the argument.',
  XCORE_ERR_SCHEDULE_NOT_SERIALIZABLE:
    'A schedule definition (usually its `args`) holds a value JSON cannot represent exactly (function, ' +
    'symbol, bigint, NaN, Infinity, a cycle). Pass plain JSON data; the message gives the key path.',
  XCORE_ERR_REDIS_OPTIONS_INVALID:
    'RedisStore options are invalid: give exactly one of `url`, `client` or `nodes`, and a key `prefix` ' +
    'without `{`, `}` or whitespace. The message names the option.',
  XCORE_ERR_REDIS_UNAVAILABLE:
    'A Redis store call failed because Redis cannot be reached or did not answer in time (connection ' +
    'refused or lost, timeout, cluster down). The call rejected; the scheduler retries with backoff. ' +
    'Check that Redis runs at the configured url.',
  XCORE_ERR_REDIS_COMMAND:
    'Redis answered a store command with an error reply (e.g. OOM under maxmemory, READONLY replica). ' +
    'The message names the store operation and the reply. Use `maxmemory-policy noeviction` and a primary.',
  XCORE_ERR_REDIS_SCRIPT:
    'A store Lua script returned a negative code or a malformed reply (bad arguments, corrupt schedule ' +
    'data). The message names the script and the code: a bug, or a foreign writer under the key prefix.',
};

// ---------------------------------------------------------------------------------------------
// Store errors (stores/)
// ---------------------------------------------------------------------------------------------

/** A store was used after {@link Store.close}. Code `XCORE_ERR_STORE_CLOSED`. */
export class StoreClosedError extends XcoreError {
  /** @param kind - the store kind (`memory`, `redis`). @param method - the method that was called. */
  constructor(kind: string, method: string, options: XcoreErrorOptions = {}) {
    super(
      'XCORE_ERR_STORE_CLOSED',
      `${kind} store: ${method}() was called after close(); the store is unusable once closed. ` +
        'Create a new store instead of reusing a closed one.',
      options,
    );
  }
}

/** A store method got an invalid argument. Code `XCORE_ERR_STORE_INVALID_INPUT`. */
export class StoreInputError extends XcoreError {
  /**
   * @param method - the store method, e.g. `claimDue`.
   * @param detail - what was wrong, naming the argument and the value found.
   */
  constructor(method: string, detail: string, options: XcoreErrorOptions = {}) {
    super('XCORE_ERR_STORE_INVALID_INPUT', `store.${method}(): ${detail}`, options);
  }
}

/**
 * A schedule definition cannot be fingerprinted or persisted because it is not plain JSON.
 * Code `XCORE_ERR_SCHEDULE_NOT_SERIALIZABLE`.
 */
export class ScheduleNotSerializableError extends XcoreError {
  /**
   * @param jobId - the schedule id.
   * @param path - key path of the bad value, e.g. `args[0].when`.
   * @param found - what was found there, e.g. `a function`.
   */
  constructor(jobId: string, path: string, found: string, options: XcoreErrorOptions = {}) {
    super(
      'XCORE_ERR_SCHEDULE_NOT_SERIALIZABLE',
      `job "${jobId}": ${path} is ${found}, which JSON cannot represent; ` +
        'schedule definitions and args must be plain JSON (strings, finite numbers, booleans, null, arrays, objects).',
      options,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Redis store errors (stores/redis/)
// ---------------------------------------------------------------------------------------------

/** `RedisStore` options are contradictory or the key prefix is unusable. Code `XCORE_ERR_REDIS_OPTIONS_INVALID`. */
export class RedisOptionsInvalidError extends XcoreError {
  constructor(message: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_REDIS_OPTIONS_INVALID', message, options);
  }
}

/** A store call failed because Redis cannot be reached (refused, lost, timed out). Code `XCORE_ERR_REDIS_UNAVAILABLE`. */
export class RedisUnavailableError extends XcoreError {
  constructor(message: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_REDIS_UNAVAILABLE', message, options);
  }
}

/** Redis answered a store command with an error reply (OOM, READONLY, ...). Code `XCORE_ERR_REDIS_COMMAND`. */
export class RedisCommandError extends XcoreError {
  constructor(message: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_REDIS_COMMAND', message, options);
  }
}

/** A store Lua script returned a negative code or a malformed reply. Code `XCORE_ERR_REDIS_SCRIPT`. */
export class RedisScriptError extends XcoreError {
  /** The script's negative return code, when it returned one. */
  readonly scriptCode: number | undefined;

  constructor(message: string, scriptCode?: number, options?: XcoreErrorOptions) {
    super('XCORE_ERR_REDIS_SCRIPT', message, options);
    this.scriptCode = scriptCode;
  }
}
