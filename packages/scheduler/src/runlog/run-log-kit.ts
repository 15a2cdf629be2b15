/**
 * `@xcore/scheduler/run-log-kit`: what a sink's writer thread needs to make and check run-log
 * records from {@link RunLogCapture}s, bundled alone (no `@xcore/core`, no zod, no Redis client),
 * so a worker thread loads it in milliseconds instead of the whole scheduler.
 *
 * @remarks
 * The PostgreSQL sink's writer thread (`@xcore/runlog-postgres`, `worker/insert-worker.mjs`) is
 * its user: the main thread captures each finished run ({@link captureRunLogInput}, cheap), and
 * the writer assembles, checks and serialises the records before inserting them.
 */
export { assembleRunLogRecord, captureRunLogInput, recordsOfBatch, runLogIdFrom, type RunLogCapture, type RunLogInput } from './run-log-build.js';
export { runLogRecordProblem, type RunLogRecordProblem } from './run-log-check.js';
export type { RunLogRecord } from './run-log-record.js';
