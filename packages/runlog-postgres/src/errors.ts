/**
 * The catalogue of coded errors thrown by `@xcore/runlog-postgres`.
 *
 * @remarks
 * Every error is an `XcoreError` subclass with a stable `XCORE_ERR_...` code documented once in
 * {@link POSTGRES_RUN_LOG_ERROR_CODES}. Messages name the database as `host:port/database` (never
 * the password). The contract's own errors (a refused record or filter, a closed sink) come from
 * `@xcore/scheduler`.
 */
import { XcoreError, type XcoreErrorOptions } from '@xcore/core';

/** Documentation of every code thrown by `@xcore/runlog-postgres`: code, then what it means and what to do. */
export const POSTGRES_RUN_LOG_ERROR_CODES: Readonly<Record<string, string>> = {
  XCORE_ERR_RUNLOG_POSTGRES_OPTIONS_INVALID:
    'PostgresRunLog options are invalid: `url` is not a postgres:// URL, `schema` is not a lowercase SQL identifier, ' +
    'or a size, interval or timeout is out of range. The message names the option and the allowed values.',
  XCORE_ERR_RUNLOG_POSTGRES_CONNECT:
    'PostgreSQL refused the run log at start for a reason waiting will not fix: wrong user or password, a database ' +
    'that does not exist, or no permission to create the schema. The message quotes PostgreSQL and names the database.',
  XCORE_ERR_RUNLOG_POSTGRES_MIGRATION:
    'A run-log migration failed inside its transaction (nothing of it was applied). The message names the migration ' +
    'file and quotes PostgreSQL; fix the cause (often privileges on the schema) and start again.',
  XCORE_ERR_RUNLOG_POSTGRES_QUERY:
    'Reading the run log failed: PostgreSQL is unreachable, timed out, or answered with an error. The message names ' +
    'the database and quotes the cause; writes are not affected (they queue and retry).',
};

/** Options of `PostgresRunLog` are invalid. Code `XCORE_ERR_RUNLOG_POSTGRES_OPTIONS_INVALID`. */
export class PostgresRunLogOptionsInvalidError extends XcoreError {
  /** @param option - the option name. @param detail - what was wrong and what is accepted. */
  constructor(option: string, detail: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_RUNLOG_POSTGRES_OPTIONS_INVALID', `postgres run log: option ${option} ${detail}`, options);
  }
}

/** PostgreSQL refused the connection or the schema for a lasting reason. Code `XCORE_ERR_RUNLOG_POSTGRES_CONNECT`. */
export class PostgresRunLogConnectError extends XcoreError {
  /** @param target - `host:port/database`. @param detail - PostgreSQL's answer and what to do. */
  constructor(target: string, detail: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_RUNLOG_POSTGRES_CONNECT', `postgres run log at ${target}: ${detail}`, options);
  }
}

/** A migration failed and was rolled back. Code `XCORE_ERR_RUNLOG_POSTGRES_MIGRATION`. */
export class PostgresRunLogMigrationError extends XcoreError {
  /** @param migration - the file name, e.g. `001_create_run_log.sql`. @param target - `host:port/database`. @param detail - PostgreSQL's answer. */
  constructor(migration: string, target: string, detail: string, options?: XcoreErrorOptions) {
    super(
      'XCORE_ERR_RUNLOG_POSTGRES_MIGRATION',
      `postgres run log at ${target}: migration ${migration} failed and was rolled back: ${detail}`,
      options,
    );
  }
}

/** A query of the run log failed. Code `XCORE_ERR_RUNLOG_POSTGRES_QUERY`. */
export class PostgresRunLogQueryError extends XcoreError {
  /** @param target - `host:port/database`. @param detail - the cause. */
  constructor(target: string, detail: string, options?: XcoreErrorOptions) {
    super('XCORE_ERR_RUNLOG_POSTGRES_QUERY', `postgres run log at ${target}: reading failed (${detail}); check that PostgreSQL is reachable`, options);
  }
}
