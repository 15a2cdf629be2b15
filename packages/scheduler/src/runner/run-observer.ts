/**
 * The one place the run path publishes what it decided about each occurrence: a run that ended,
 * an occurrence skipped, occurrences missed. The run log and the metrics observe it.
 *
 * @remarks
 * The run lifecycle (`run.ts`, `onRunFinished`) and the dispatcher (misfire decisions) call
 * {@link RunObservers} synchronously, once per decision, where the history record is written; an
 * observer must return at once (queue, count) and never throws into the run path:
 * {@link RunObservers} catches and logs (once per observer per minute) what one throws.
 */
import type { Logger } from 'pino';
import { logError } from '../executors/error-message.js';
import type { RunFinishedEvent } from './run.js';
import type { ScheduleDefinition, SucceededRuns } from '../stores/store.js';

/**
 * A run (or skipped occurrence) whose record is final: the run lifecycle's
 * {@link RunFinishedEvent} (`record`, `jobOwner`, the thrown `error`, the returned `result`).
 */
export type EndedRun = RunFinishedEvent;

/** Occurrences the misfire/coalesce policy dropped in one decision. */
export interface MissedOccurrences {
  readonly jobId: string;
  readonly jobOwner: string;
  /** How many occurrences the decision dropped (at least 1). */
  readonly count: number;
  /** The deciding process's owner id. */
  readonly process: string;
  /** When it was decided, epoch ms. */
  readonly decidedAt: number;
}

/** What observes the run path's decisions. Both calls are synchronous and must not block. */
export interface RunObserver {
  /** A run ended (succeeded, failed, timed out, aborted, lost with its process) or an occurrence was skipped. */
  ended?(run: EndedRun): void;
  /** Occurrences were dropped by the misfire/coalesce policy. */
  missed?(missed: MissedOccurrences): void;
}

/** Least time between two log lines about the same observer throwing. */
const THROW_LOG_INTERVAL_MS = 60_000;

/** One observer and the bookkeeping of its throws. */
interface ObserverEntry {
  readonly observer: RunObserver;
  /** Its bulk form of `ended` for runs that succeeded at their first attempt, if it has one. */
  readonly succeeded: ((runs: SucceededRuns) => void) | undefined;
  loggedAt: number;
  suppressed: number;
}

/** The observers of one scheduler, called in order; one that throws is logged and skipped. */
export class RunObservers {
  private readonly list: ObserverEntry[] = [];
  /** Observers with `ended` but no bulk form (see {@link RunObservers.bulk}). */
  private oneByOne = 0;

  constructor(private readonly logger: Logger) {}

  /**
   * Adds an observer; returns the function that removes it. `succeeded`, when given, is told of
   * runs that succeeded at their first attempt in bulk, instead of `ended` once per run (the
   * scheduler's own metrics; see {@link RunObservers.bulk}).
   */
  add(observer: RunObserver, succeeded?: (runs: SucceededRuns) => void): () => void {
    const entry: ObserverEntry = { observer, succeeded, loggedAt: -Infinity, suppressed: 0 };
    const oneByOne = observer.ended !== undefined && succeeded === undefined;
    this.list.push(entry);
    if (oneByOne) this.oneByOne++;
    return () => {
      const at = this.list.indexOf(entry);
      if (at < 0) return;
      this.list.splice(at, 1);
      if (oneByOne) this.oneByOne--;
    };
  }

  /** True when nobody observes (the run path then builds nothing). */
  get empty(): boolean {
    return this.list.length === 0;
  }

  /**
   * True when every observer of ended runs takes succeeded runs in bulk: the run path may then
   * hold such runs as columns ({@link RunObservers.succeeded}) instead of publishing each one.
   */
  get bulk(): boolean {
    return this.oneByOne === 0;
  }

  /** Publishes runs that succeeded at their first attempt, to the observers that take them in bulk. */
  succeeded(runs: SucceededRuns): void {
    if (runs.count === 0) return;
    for (const entry of this.list) {
      if (entry.succeeded === undefined) continue;
      try {
        entry.succeeded(runs);
      } catch (error) {
        this.threw(entry, error, (runs.definitions[0] as ScheduleDefinition).id);
      }
    }
  }

  /** Publishes an ended run or skipped occurrence. */
  ended(run: EndedRun): void {
    for (const entry of this.list) {
      if (entry.observer.ended === undefined) continue;
      try {
        entry.observer.ended(run);
      } catch (error) {
        this.threw(entry, error, run.record.jobId);
      }
    }
  }

  /** Publishes a misfire/coalesce decision. */
  missed(missed: MissedOccurrences): void {
    for (const entry of this.list) {
      if (entry.observer.missed === undefined) continue;
      try {
        entry.observer.missed(missed);
      } catch (error) {
        this.threw(entry, error, missed.jobId);
      }
    }
  }

  private threw(entry: ObserverEntry, error: unknown, jobId: string): void {
    const now = Date.now();
    if (now - entry.loggedAt < THROW_LOG_INTERVAL_MS) {
      entry.suppressed++;
      return;
    }
    logError(this.logger, 'error', { job: jobId, suppressed: entry.suppressed }, error, 'a run observer (run log or metrics) threw; the run is unaffected');
    entry.loggedAt = now;
    entry.suppressed = 0;
  }
}
