/**
 * The per-schedule record of the {@link MemoryStore}.
 *
 * @remarks
 * Pure: no I/O, no timers.
 */
import type { RunRecord, ScheduleDefinition } from './store.js';
import type { RunHistory } from './memory-history.js';

/** Per-schedule record of the {@link MemoryStore}; its times live in the store's row `slot` (see `schedule-rows.ts`). */
export class Entry {
  /** The stored, deeply frozen definition (handed out as is). */
  definition: ScheduleDefinition;
  /** `scheduleHash` of the definition. */
  hash: string;
  paused = false;
  /** Occurrences accepted by commits so far. */
  runs = 0;
  /** Token of the latest claim (fencing); 0 when never claimed. */
  token = 0;
  /** Owner of the current claim, `null` when unclaimed. */
  claimOwner: string | null = null;
  /** The last run record while history is off (`history` is `null`); the ring's newest otherwise. */
  lastRun: RunRecord | null = null;
  /** Run history (columnar ring); `null` until the first run is recorded, and while history is off. */
  history: RunHistory | null = null;
  /**
   * `history.written`, kept here too so a claim reads no more than this object and its row (at
   * 10k schedules firing together, reading the ring's object for it was a cache miss per claim).
   */
  historyWritten = 0;
  /** The schedule's id (`definition.id`): compared by claim-order lookups without reading the definition. */
  readonly id: string;

  constructor(
    readonly slot: number,
    definition: ScheduleDefinition,
    hash: string,
  ) {
    this.definition = definition;
    this.hash = hash;
    this.id = definition.id;
  }
}
