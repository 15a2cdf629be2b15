/**
 * Failure windows: when a job's failure is worth a message, and when its success is a recovery.
 *
 * @remarks
 * Pure: no clock and no I/O; every method takes `now` (ms since the epoch), so the rules
 * are tested with plain numbers. One instance per rule, holding state only for jobs that failed:
 *
 * - A failure sends a message when no failure message about this job went out in the last
 *   `windowMs` (so at most one per window); otherwise it is counted, and the count rides in the
 *   job's next message.
 * - A success after failures ends the streak. It is a recovery (a message, when the rule asks for
 *   one) only when a failure message went out during the streak: a job that fails and recovers
 *   within a window it was already reported in says nothing more until its next message, which
 *   carries the count. A flapping job therefore sends at most one failure and one recovery per window.
 * - State for at most `maxJobs` jobs is kept; past it the least recently failed job is forgotten
 *   (its recovery is not sent). A job healthy for a whole window after its last message with
 *   nothing left to report is forgotten too.
 */

/** What to do about a failure. */
export type FailureVerdict =
  | {
      readonly send: true;
      /** Failures since the previous message about this job, this one included. */
      readonly sinceLastMessage: number;
      /** Failures in a row since the job last succeeded, this one included. */
      readonly consecutive: number;
      /** When the streak began (`now` of its first failure). */
      readonly failingSince: number;
      /** When the previous message about this job went out, if any. */
      readonly previousMessageAt: number | undefined;
    }
  | { readonly send: false };

/** A streak that ended with a success; a recovery message is due when `notify` is true. */
export interface RecoveryVerdict {
  readonly notify: boolean;
  /** Failures since the previous message (counted in the window, never sent). */
  readonly sinceLastMessage: number;
  /** Failures of the streak that ended. */
  readonly consecutive: number;
  readonly failingSince: number;
  readonly previousMessageAt: number | undefined;
}

interface JobState {
  failing: boolean;
  /** A failure message went out during the current streak. */
  reported: boolean;
  consecutive: number;
  unreported: number;
  failingSince: number;
  lastMessageAt: number | undefined;
}

/** Default of {@link FailureWindows}' `maxJobs`. */
export const MAX_TRACKED_JOBS = 10_000;

/** The failure state of every job one rule watches; see the module comment. */
export class FailureWindows {
  private readonly jobs = new Map<string, JobState>();
  private failingCount = 0;

  constructor(
    private readonly windowMs: number,
    private readonly maxJobs = MAX_TRACKED_JOBS,
  ) {}

  /** Jobs in a failing streak. */
  get failing(): number {
    return this.failingCount;
  }

  /** A failure of `jobId` at `now`. */
  failure(jobId: string, now: number): FailureVerdict {
    let state = this.jobs.get(jobId);
    if (state === undefined) {
      state = { failing: false, reported: false, consecutive: 0, unreported: 0, failingSince: now, lastMessageAt: undefined };
      if (this.jobs.size >= this.maxJobs) this.evictOldest();
    } else {
      // Re-inserted so the map's order is least recently failed first.
      this.jobs.delete(jobId);
    }
    this.jobs.set(jobId, state);
    if (!state.failing) {
      state.failing = true;
      state.reported = false;
      state.consecutive = 0;
      state.failingSince = now;
      this.failingCount += 1;
    }
    state.consecutive += 1;
    state.unreported += 1;
    const previousMessageAt = state.lastMessageAt;
    if (previousMessageAt !== undefined && now - previousMessageAt < this.windowMs) return { send: false };
    const verdict = { send: true, sinceLastMessage: state.unreported, consecutive: state.consecutive, failingSince: state.failingSince, previousMessageAt } as const;
    state.unreported = 0;
    state.reported = true;
    state.lastMessageAt = now;
    return verdict;
  }

  /**
   * A success of `jobId` at `now`: the end of its streak, or `undefined` when it was not failing.
   *
   * @param recovery - The rule sends recovery messages (a recovery then counts as a message).
   */
  success(jobId: string, now: number, recovery: boolean): RecoveryVerdict | undefined {
    const state = this.jobs.get(jobId);
    if (state === undefined || !state.failing) return undefined;
    const notify = recovery && state.reported;
    const verdict: RecoveryVerdict = { notify, sinceLastMessage: state.unreported, consecutive: state.consecutive, failingSince: state.failingSince, previousMessageAt: state.lastMessageAt };
    state.failing = false;
    state.consecutive = 0;
    this.failingCount -= 1;
    if (notify) {
      state.unreported = 0;
      state.lastMessageAt = now;
    }
    if (state.unreported === 0 && (state.lastMessageAt === undefined || now - state.lastMessageAt >= this.windowMs)) this.jobs.delete(jobId);
    return verdict;
  }

  /** Forgets healthy jobs whose window is over and that have nothing left to report. */
  sweep(now: number): void {
    for (const [jobId, state] of this.jobs) {
      if (!state.failing && state.unreported === 0 && (state.lastMessageAt === undefined || now - state.lastMessageAt >= this.windowMs)) this.jobs.delete(jobId);
    }
  }

  /** Failures counted in windows and not sent yet, over every job. */
  get unreported(): number {
    let total = 0;
    for (const state of this.jobs.values()) total += state.unreported;
    return total;
  }

  private evictOldest(): void {
    const oldest = this.jobs.entries().next();
    if (oldest.done === true) return;
    const [jobId, state] = oldest.value;
    if (state.failing) this.failingCount -= 1;
    this.jobs.delete(jobId);
  }
}
