/**
 * One log line per run: `job started` at each attempt's start, then `job succeeded` with its
 * duration and attempts, at `debug` (or `info` with `services.scheduler.logRuns: info`).
 *
 * @remarks
 * A subscriber to the scheduler's own run events, so the run path knows nothing of it. A run that
 * fails, times out or is aborted ends with the run path's `warn` line (`job failed`, with the
 * error, its duration and attempts), so every run reads as one start line and one end line at
 * the chosen level or above. Nothing subscribes when the logger does not write `level`: then
 * the run path builds no event payloads for it (the level is read once, when the scheduler is
 * created).
 */
import type { Logger } from 'pino';
import type { SchedulerEmitter } from './scheduler-events.js';

/** The level run lines are written at. */
export type RunLineLevel = 'debug' | 'info';

/**
 * Logs a line when each run starts and when it succeeds; returns the unsubscribe function.
 *
 * @example
 * ```ts
 * logRunLines(emitter, logger, 'info');
 * // {"level":30,"job":"reports:sync","scheduledAt":"...","attempt":1,"msg":"job started"}
 * // {"level":30,"job":"reports:sync","scheduledAt":"...","durationMs":12,"attempts":1,"msg":"job succeeded"}
 * ```
 */
export function logRunLines(emitter: SchedulerEmitter, logger: Logger, level: RunLineLevel): () => void {
  // A logger-like object without pino's isLevelEnabled is taken to write every level.
  if (typeof logger.isLevelEnabled === 'function' && !logger.isLevelEnabled(level)) return () => undefined;
  const offStarted = emitter.on('job.started', (event) => {
    logger[level]({ job: event.jobId, scheduledAt: event.scheduledAt, attempt: event.attempt }, 'job started');
  });
  const offSucceeded = emitter.on('job.succeeded', ({ record }) => {
    const durationMs = record.startedAt === null || record.finishedAt === null ? null : record.finishedAt - record.startedAt;
    const manual = record.manual === true ? { manual: true } : {};
    logger[level]({ job: record.jobId, scheduledAt: new Date(record.scheduledAt), durationMs, attempts: record.attempts, ...manual }, 'job succeeded');
  });
  return () => {
    offStarted();
    offSucceeded();
  };
}
