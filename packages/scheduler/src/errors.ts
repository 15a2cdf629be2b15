/**
 * The catalogue of coded errors thrown by `@xcore/scheduler`.
 *
 * @remarks
 * Every error is an `XcoreError` subclass (from `@xcore/core`) with a stable `XCORE_ERR_...`
 * code, documented once in {@link SCHEDULER_ERROR_CODES}. Messages say what was wrong, where
 * (job id, key path, file:line:col) and what to do. Match errors by `code`, not `instanceof`.
 */
import { XcoreError, type XcoreErrorOptions } from '@xcore/core';
import { quoteInput } from './triggers/cron-fields.js';

/**
 * Documentation of every code thrown by `@xcore/scheduler`: code, then what it means and what to do.
 *
 * @remarks
 * Kept beside the classes so a test can check each class's code is listed here exactly once.
 */
export const SCHEDULER_ERROR_CODES: Readonly<Record<string, string>> = {
  XCORE_ERR_JOB_CONFLICT:
    'A job with this id is already registered (by this process or by another owner). Nothing was changed. Pick another id or pass `replaceExisting: true`.',
  XCORE_ERR_JOB_NOT_FOUND: 'No job has this id (for a plugin view: among the plugin\'s own jobs). Check `jobs()` for the ids that exist.',
  XCORE_ERR_JOB_INVALID:
    'A job\'s options are refused before anything is stored: a missing or malformed id, no trigger or two kinds of trigger, ' +
    'an unknown option, a value of the wrong type or outside its range (durations, counts, dates within 0000-9999). ' +
    'The message names the job and each wrong option with its allowed range and the value found.',
  XCORE_ERR_JOB_FUNC_INVALID:
    'A YAML job\'s `func` cannot be resolved: module not found, export missing or not a function. The message gives file:line:col and the job id.',
  XCORE_ERR_JOB_TIMEOUT:
    'A run passed its `timeout`; its signal was aborted with this error and the run recorded as `timed_out`. ' +
    'Raise `timeout` or make the job honour `ctx.signal` sooner.',
  XCORE_ERR_JOB_ABORTED:
    'A run was aborted because the scheduler shut down past its drain deadline or the owning plugin stopped; ' +
    'recorded as `aborted`.',
  XCORE_ERR_CRON_INVALID:
    'A cron expression cannot be parsed: wrong field count (5 or 6 fields, seconds first when 6, or a macro such as ' +
    '`@daily`), a value out of range, or an unknown name. The message quotes the expression and gives a valid example.',
  XCORE_ERR_TIMEZONE_INVALID:
    'A timezone is not an IANA zone name this Node.js build knows (e.g. `Europe/Berlin`, `America/New_York`, `UTC`). ' +
    'The message quotes the zone; fix the spelling or drop it to use the scheduler default.',
  XCORE_ERR_TRIGGER_INVALID:
    'A trigger spec cannot produce fire times: an interval below 1 ms, a non-finite date, `maxRuns` below 0, or a ' +
    '`startDate` after `endDate`. The message names the field and the value found.',
  XCORE_ERR_SCHEDULER_PLUGIN_STOPPED:
    'A plugin tried to register or control jobs after it stopped. Register jobs in `onStart`; a reloaded plugin gets a fresh view.',
  XCORE_ERR_SCHEDULER_OPTIONS_INVALID:
    '`new Scheduler(options)` got an unknown option or a value outside its range (`leaseMs` 1s..1d, `pollMs` 10ms..1d, ' +
    '`claimWindowMs` 0..1m, `batchSize` 1..100000, policy `defaults` as for jobs). The message names each option, its range and the value found.',
  XCORE_ERR_SCHEDULER_INTERNAL:
    'The scheduler broke one of its own rules (e.g. a `thread` or `process` job\'s run was called on the event loop): a bug in ' +
    '`@xcore/scheduler`, not in the job or the config. The run is recorded as failed. Report it with the message.',
  XCORE_ERR_SCHEDULER_STOPPED: 'The scheduler has been stopped; no new runs start. Create a new host to schedule again.',
  XCORE_ERR_SCHEDULER_BACKEND_UNAVAILABLE:
    'The configured backend cannot be created (e.g. `backend: redis` without the Redis store or without `url`).',
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
  XCORE_ERR_REDIS_KEY_TYPE:
    'A Redis key under the store\'s prefix holds another type than the store writes there (e.g. a string ' +
    'at `{prefix}:slots`): something other than xcore wrote it. The message names the key; the store ' +
    'changed nothing. Delete the key (or give xcore a prefix of its own). A shared key stops firing and ' +
    'keeps the scheduler degraded until then; a job\'s own key only affects that job.',
  XCORE_ERR_REDIS_SCRIPT:
    'A store Lua script returned a negative code or a malformed reply (bad arguments, corrupt schedule ' +
    'data). The message names the script and the code: a bug, or a foreign writer under the key prefix.',
  // The operator view (service/operator-view.ts)
  XCORE_ERR_JOB_REMOVE_REFUSED:
    'An operator asked to remove a job its owner still holds: a running plugin (here or in another process sharing the store), ' +
    'or a YAML/app job some process has registered, would register it again. Nothing changed. Pause it instead, stop or ' +
    'remove its plugin or its xcore.yaml entry first, or register it with `removable: true`.',
  XCORE_ERR_JOB_RUN_REFUSED:
    'An operator asked to run a job now that no live process can run: no process sharing the store has its handler ' +
    '(its plugin is not running anywhere, or no running host declares it). Nothing was queued. Start the plugin, then ask again.',
  XCORE_ERR_RUN_REQUEST_NOT_FOUND:
    'No run request has this id: it was never made, or it settled more than an hour ago. Ask for a new run.',
  XCORE_ERR_JOB_EXECUTOR_INVALID:
    'A job\'s executor options are refused before anything is stored: a function given for `executor: thread` or `process` ' +
    '(functions do not cross threads: give `module` and `export`), a `module` that is not an absolute path, file URL or ' +
    'package, a module that cannot be imported or whose export is not a function, `args` that cannot be structured-cloned, ' +
    'or `env` on an executor other than `process`. The message names the job and the option.',
  XCORE_ERR_JOB_CRASHED:
    'A run\'s worker thread or child process ended before the job did (`process.exit`, a fatal signal, an uncaught error ' +
    'outside the job); the run is recorded as `crashed` with the exit code or signal. The host and the schedule go on.',
  XCORE_ERR_JOB_OUT_OF_MEMORY:
    'A run on `thread` or `process` passed its memory cap (the worker\'s `resourceLimits`, the child\'s heap cap or its RSS ' +
    'watchdog) and was killed; recorded as `out_of_memory`. Raise the cap under `services.scheduler.executors` or make the job use less.',
  XCORE_ERR_EXECUTOR_QUEUE_FULL:
    'A run could not start because its executor\'s queue was full (`services.scheduler.executors.thread.maxQueue`, or ' +
    '`process.maxChildren` runs waiting); recorded as `failed`. Raise the bound or run the job less often.',
  XCORE_ERR_EXECUTOR_WORKER_MISSING:
    'The `thread` or `process` executor cannot find the plain-JavaScript file it runs jobs with (`workers/thread-worker.mjs` or ' +
    '`workers/process-child.mjs` of `@xcore/scheduler`): the install is broken. Raised when the executor is created (the job add ' +
    'that first needs it fails; nothing is stored). The message names the file and where it was looked for. Reinstall ' +
    '`@xcore/scheduler` (in this repository: `pnpm install && pnpm build`).',
  XCORE_ERR_EXECUTOR_SPAWN_FAILED:
    'The `process` executor could not start a child process (the operating system refused the fork: a process or ' +
    'memory limit such as `ulimit -u`, a full process table, no memory). A run that needed the child is recorded as ' +
    '`failed`; a warm spare that could not start is logged once as a warning and tried again at the next run. The host ' +
    'goes on. Raise the limit, free memory, or lower `services.scheduler.executors.process.maxChildren` / `warmSpares`.',
  XCORE_ERR_JOB_QUERY_INVALID:
    'A job listing or history query is malformed: a limit outside 1..500, a cursor this version did not issue, an unknown state. The message names the field.',
};

// ---------------------------------------------------------------------------------------------
// Job and service errors (service/)
// ---------------------------------------------------------------------------------------------

/** The scheduler broke one of its own rules: a bug in `@xcore/scheduler`. Code `XCORE_ERR_SCHEDULER_INTERNAL`. */
export class SchedulerInternalError extends XcoreError {
  constructor(message: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_SCHEDULER_INTERNAL', message, options);
  }
}

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

/** Thrown when `new Scheduler(options)` gets an option it cannot use; nothing was started. */
export class SchedulerOptionsInvalidError extends XcoreError {
  constructor(message: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_SCHEDULER_OPTIONS_INVALID', message, options);
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

/**
 * A Redis key under the store's prefix holds another type than the store writes there. Code
 * `XCORE_ERR_REDIS_KEY_TYPE`.
 */
export class RedisKeyTypeError extends XcoreError {
  /** The key that holds the wrong type. */
  readonly key: string;

  constructor(message: string, key: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_REDIS_KEY_TYPE', message, options);
    this.key = key;
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

/** The `process` executor could not fork a child process. Code `XCORE_ERR_EXECUTOR_SPAWN_FAILED`. */
export class ExecutorSpawnFailedError extends XcoreError {
  constructor(message: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_EXECUTOR_SPAWN_FAILED', message, options);
  }
}

/** The reason a run's signal is aborted when it passes its `timeout`. */
export class JobTimeoutError extends XcoreError {
  constructor(message: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_JOB_TIMEOUT', message, options);
  }
}

/** A job's executor options are refused (nothing was stored). Code `XCORE_ERR_JOB_EXECUTOR_INVALID`. */
export class JobExecutorInvalidError extends XcoreError {
  constructor(message: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_JOB_EXECUTOR_INVALID', message, options);
  }
}

/** A run's worker thread or child process ended before the job did. Code `XCORE_ERR_JOB_CRASHED`. */
export class JobCrashedError extends XcoreError {
  constructor(message: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_JOB_CRASHED', message, options);
  }
}

/** A run passed its memory cap and was killed. Code `XCORE_ERR_JOB_OUT_OF_MEMORY`. */
export class JobOutOfMemoryError extends XcoreError {
  constructor(message: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_JOB_OUT_OF_MEMORY', message, options);
  }
}

/** A run could not start: its executor's queue was full. Code `XCORE_ERR_EXECUTOR_QUEUE_FULL`. */
export class ExecutorQueueFullError extends XcoreError {
  constructor(message: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_EXECUTOR_QUEUE_FULL', message, options);
  }
}

/** A file of `workers/` the `thread` or `process` executor runs jobs with is missing. Code `XCORE_ERR_EXECUTOR_WORKER_MISSING`. */
export class ExecutorWorkerMissingError extends XcoreError {
  constructor(message: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_EXECUTOR_WORKER_MISSING', message, options);
  }
}

/** The reason a run's signal is aborted on shutdown or when its plugin stops. */
export class JobAbortedError extends XcoreError {
  constructor(message: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_JOB_ABORTED', message, options);
  }
}

// ---------------------------------------------------------------------------------------------
// Trigger errors (triggers/)
// ---------------------------------------------------------------------------------------------

/** A cron expression cannot be parsed. Code `XCORE_ERR_CRON_INVALID`. */
export class CronInvalidError extends XcoreError {
  /** The expression as given. */
  readonly expression: string;

  /**
   * @param expression - the expression as given (quoted back cut to 48 characters).
   * @param reason - what is wrong with it, naming the field as written and its allowed values.
   * @param options - `forms: true` appends the accepted forms, for problems with the expression's
   * shape (field count, unknown macro, empty).
   */
  constructor(expression: string, reason: string, options: XcoreErrorOptions & { readonly forms?: boolean } = {}) {
    const forms = options.forms === true
      ? '. Use 5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, or a macro, e.g. "0 9 * * 1-5", "*/10 * * * * *" or "@daily"'
      : '';
    super('XCORE_ERR_CRON_INVALID', `invalid cron expression ${quoteInput(expression)}: ${reason}${forms}.`, options);
    this.expression = expression;
  }
}

/** A timezone is not a known IANA zone. Code `XCORE_ERR_TIMEZONE_INVALID`. */
export class TimezoneInvalidError extends XcoreError {
  /** The zone as given. */
  readonly timezone: string;

  /** @param timezone - the zone as given. */
  constructor(timezone: string, options?: XcoreErrorOptions) {
    super(
      'XCORE_ERR_TIMEZONE_INVALID',
      `unknown timezone "${timezone}": not an IANA zone name known to this Node.js build. ` +
        'Use a name such as "Europe/Berlin", "America/New_York" or "UTC" (see the tz database list).',
      options,
    );
    this.timezone = timezone;
  }
}

/** A trigger spec cannot produce fire times. Code `XCORE_ERR_TRIGGER_INVALID`. */
export class TriggerInvalidError extends XcoreError {
  /**
   * @param field - the spec field, e.g. `everyMs`.
   * @param detail - what was wrong and what was found.
   */
  constructor(field: string, detail: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_TRIGGER_INVALID', `invalid trigger: ${field} ${detail}`, options);
  }
}

// ---------------------------------------------------------------------------------------------
// Operator view errors (service/operator-view.ts)
// ---------------------------------------------------------------------------------------------

/** An operator asked to remove a job its owner still holds; nothing changed. */
export class JobRemoveRefusedError extends XcoreError {
  constructor(message: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_JOB_REMOVE_REFUSED', message, options);
  }
}

/** An operator asked to run a job no live process has a handler for; nothing was queued. */
export class JobRunRefusedError extends XcoreError {
  constructor(message: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_JOB_RUN_REFUSED', message, options);
  }
}

/** A run request id is unknown (never made, or past its retention). */
export class RunRequestNotFoundError extends XcoreError {
  constructor(requestId: string) {
    super('XCORE_ERR_RUN_REQUEST_NOT_FOUND', `No run request "${requestId}": it was never made, or it settled more than an hour ago. Ask for a new run.`);
  }
}

/** A job listing or history query is malformed. */
export class JobQueryInvalidError extends XcoreError {
  constructor(message: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_JOB_QUERY_INVALID', message, options);
  }
}
