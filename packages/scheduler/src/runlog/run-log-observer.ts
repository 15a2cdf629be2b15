/**
 * Connects a {@link RunLogSink} to the run path: every run that ended, every skipped occurrence and
 * every misfire decision becomes one {@link RunLogRecord}, queued with `write` (never awaited).
 */
import type { EndedRun, MissedOccurrences, RunObserver } from '../runner/run-observer.js';
import type { RunLogSink } from './run-log-sink.js';
import { toRunLogRecord } from './to-run-log-record.js';

/**
 * The run observer that writes to a run-log sink.
 *
 * @remarks
 * Building a record costs a few microseconds (a UUID v7, capped error texts, the result's JSON
 * bounded to 8 KiB); `write` only queues. A throwing `write` (a closed
 * sink, a record refused) is caught and logged by the scheduler's observer list, never failing a run.
 */
export function runLogObserver(sink: RunLogSink): RunObserver {
  return {
    ended(run: EndedRun): void {
      const { record } = run;
      sink.write(toRunLogRecord({
        record,
        jobOwner: run.jobOwner,
        ...(run.error === undefined ? {} : { error: run.error }),
        ...(run.result === undefined ? {} : { result: run.result }),
        ...(record.requestedBy === undefined ? {} : { requestedBy: record.requestedBy }),
      }));
    },
    missed(missed: MissedOccurrences): void {
      sink.write(toRunLogRecord({
        record: { jobId: missed.jobId, scheduledAt: missed.decidedAt, startedAt: null, finishedAt: null, status: 'missed', attempts: 0, owner: missed.process },
        jobOwner: missed.jobOwner,
        occurrences: missed.count,
        decidedAt: missed.decidedAt,
      }));
    },
  };
}
