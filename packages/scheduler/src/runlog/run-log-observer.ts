/**
 * Connects a {@link RunLogSink} to the run path: every run that ended, every skipped occurrence and
 * every misfire decision becomes one {@link RunLogRecord}, queued (never awaited).
 */
import type { EndedRun, MissedOccurrences, RunObserver } from '../runner/run-observer.js';
import type { RunLogSink } from './run-log-sink.js';
import { buildRunLogRecord, type RunLogInput } from './run-log-build.js';

/**
 * The run observer that writes to a run-log sink.
 *
 * @remarks
 * With a sink that has {@link RunLogSink.writeRun} (the batching ones: `@xcore/runlog-postgres`),
 * an ended run is captured into the batcher's ring (numbers and ids into shared memory, the
 * result's JSON bounded to 8 KiB; no object kept per run): the record (a UUID v7, capped error
 * texts) is built and validated later, off the run path, when its batch is written. Otherwise the record is built here and handed to `write`, which checks it (once) and
 * only queues. A
 * throwing sink (closed, a record refused) is caught and logged by the scheduler's observer list,
 * never failing a run.
 */
export function runLogObserver(sink: RunLogSink): RunObserver {
  const queue: (input: RunLogInput) => void = sink.writeRun === undefined
    ? (input) => sink.write(buildRunLogRecord(input)) // checked once, by write() (every sink's contract)
    : sink.writeRun.bind(sink);
  return {
    ended(run: EndedRun): void {
      // A run's event is final (its record is the one written to history): queued as it is. A
      // never-started one (skipped) has no finish time: it is decided now, not when it is built.
      queue(run.record.finishedAt === null ? { ...run, decidedAt: Date.now() } : run);
    },
    missed(missed: MissedOccurrences): void {
      queue({
        record: { jobId: missed.jobId, scheduledAt: missed.decidedAt, startedAt: null, finishedAt: null, status: 'missed', attempts: 0, owner: missed.process },
        jobOwner: missed.jobOwner,
        occurrences: missed.count,
        decidedAt: missed.decidedAt,
      });
    },
  };
}
