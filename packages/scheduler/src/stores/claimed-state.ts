/**
 * What the {@link MemoryStore} hands out for a claim: one object that is the claim, its schedule
 * and the schedule's state, with `lastRun` read lazily.
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
import type { Claim, RunRecord, ScheduleDefinition, ScheduleState, StoredSchedule } from './store.js';

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
 * const claim = new ClaimedState(definition, until, slot, next, false, runs, anchor, createdAt, updatedAt, hash, token, ring, ring?.written ?? 0, kept);
 * claim.schedule.state.lastRun; // rebuilt here, only if read
 * ```
 *
 * One object instead of three (claim, schedule, state) per claim: a fire allocates less. Its
 * `schedule` and `state` are itself, so `JSON.stringify` shows one flat object.
 */
export class ClaimedState implements Claim, StoredSchedule, ScheduleState {
  constructor(
    readonly definition: ScheduleDefinition,
    readonly leaseUntil: number,
    readonly slot: number,
    readonly nextRunAt: number | null,
    readonly paused: boolean,
    readonly runs: number,
    readonly anchor: number,
    readonly createdAt: number,
    readonly updatedAt: number,
    readonly hash: string,
    readonly token: number,
    /** The schedule's history ring at claim time, `null` when history is off. */
    private readonly ring: RunHistory | null,
    /** `ring.written` at claim time. */
    private readonly written: number,
    /** The last run record kept without a ring (history off), at claim time. */
    private readonly kept: RunRecord | null,
  ) {}

  /** The most recent finished run as of the claim, rebuilt on each read. */
  /** The claimed schedule (this object). */
  get schedule(): StoredSchedule {
    return this;
  }

  /** The schedule's state at claim time (this object). */
  get state(): ScheduleState {
    return this;
  }

  get lastRun(): RunRecord | null {
    return this.ring === null ? this.kept : this.ring.pushedAt(this.definition.id, this.written);
  }
}
