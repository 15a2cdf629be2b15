/**
 * The schedule state the {@link MemoryStore} hands out with a claim, with `lastRun` read lazily.
 *
 * @remarks
 * Pure: no I/O, no timers. Claims go to the runner, which never reads `lastRun`. Building the
 * record for every claim cost about 7% of firing CPU, and keeping each run's record object alive
 * on its schedule for that purpose promoted one object per fire to the old generation (at 100k
 * jobs firing every second, 100k objects a second for the major collector). Here the state
 * remembers where the schedule's run history stood at claim time and rebuilds that record only
 * when `lastRun` is read, so the value is the one of the claim, as with a plain snapshot.
 */
import type { RunHistory } from './memory-history.js';
import type { RunRecord, ScheduleState } from './store.js';

/**
 * A {@link ScheduleState} whose `lastRun` is rebuilt from the history ring on read.
 *
 * @remarks
 * `lastRun` is the record that was the newest at claim time; `null` when there was none, when
 * more than `historyLimit` later runs have pushed it out of the ring before it was read, or when the
 * schedule was removed or its history turned off since.
 *
 * @example
 * ```ts
 * const state = new ClaimedState(next, false, runs, anchor, createdAt, updatedAt, hash, token, id, ring, ring?.written ?? 0, kept);
 * state.lastRun; // rebuilt here, only if read
 * ```
 */
export class ClaimedState implements ScheduleState {
  constructor(
    readonly nextRunAt: number | null,
    readonly paused: boolean,
    readonly runs: number,
    readonly anchor: number,
    readonly createdAt: number,
    readonly updatedAt: number,
    readonly hash: string,
    readonly token: number,
    private readonly jobId: string,
    /** The schedule's history ring at claim time, `null` when history is off. */
    private readonly ring: RunHistory | null,
    /** `ring.written` at claim time. */
    private readonly written: number,
    /** The last run record kept without a ring (history off), at claim time. */
    private readonly kept: RunRecord | null,
  ) {}

  /** The most recent finished run as of the claim, rebuilt on each read. */
  get lastRun(): RunRecord | null {
    return this.ring === null ? this.kept : this.ring.pushedAt(this.jobId, this.written);
  }
}
