/**
 * `@xcore/runlog-postgres`: the durable run log of the xcore scheduler on PostgreSQL (`pg`).
 *
 * @remarks
 * Every finished run becomes a row of `<schema>.run_log`, written in batches off the scheduler's
 * run path and queryable by job, owner, outcome, manual flag and time range with keyset paging.
 * The table, its indexes and their migration ship with the package (`migrations/`). Enable it with
 * `services.scheduler.runLog: { backend: postgres, url: ${RUNLOG_DATABASE_URL} }`, or create a
 * {@link PostgresRunLog} yourself.
 *
 * @packageDocumentation
 */
export { PostgresRunLog } from './postgres-run-log.js';
export type { PostgresRunLogStats } from './postgres-run-log.js';
export type { PostgresRunLogOptions } from './postgres-run-log-options.js';
export { createRunLogSink } from './create-run-log-sink.js';
export { shippedMigrations } from './migrations.js';
export type { Migration } from './migrations.js';
export { classifyPgError } from './pg-errors.js';
export {
  POSTGRES_RUN_LOG_ERROR_CODES, PostgresRunLogOptionsInvalidError, PostgresRunLogConnectError, PostgresRunLogMigrationError,
  PostgresRunLogQueryError,
} from './errors.js';
