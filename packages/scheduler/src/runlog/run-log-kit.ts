/**
 * `@xcore/scheduler/run-log-kit`: what a sink's writer thread needs to read queued runs from a
 * {@link RunLogRing} and make and check their run-log records, bundled alone (no `@xcore/core`,
 * no zod, no Redis client), so a worker thread loads it in milliseconds instead of the whole
 * scheduler.
 *
 * @remarks
 * The PostgreSQL sink's writer thread (`@xcore/runlog-postgres`, `worker/insert-worker.mjs`) is
 * its user: the main thread captures each finished run into the ring's shared memory on the run
 * path, and the writer reads the slots of each batch and encodes their rows: straight from the
 * columns for a slot {@link RunLogRing.readValid} reads, else by assembling and checking its record.
 */
export { assembleRunLogRecord, captureRunLogInput, runLogIdFrom, type RunLogCapture, type RunLogInput } from './run-log-build.js';
export {
  RunLogRing, recordsOfBatch, emptySlotFields, RUN_LOG_RING_NULL, type RunLogBatchItem, type RunLogRingShared, type RunLogRingTexts, type RunLogSlotFields,
} from './run-log-ring.js';
export { runLogRecordProblem, type RunLogRecordProblem } from './run-log-check.js';
export { RUN_LOG_OUTCOMES, type RunLogRecord } from './run-log-record.js';
