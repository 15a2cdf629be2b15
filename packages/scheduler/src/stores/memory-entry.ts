/**
 * The per-schedule record of the {@link MemoryStore} and its small input helpers.
 *
 * @remarks
 * Pure: no I/O, no timers.
 */
import type { RunRecord, ScheduleDefinition } from './store.js';
import type { RunHistory } from './memory-history.js';

/** Per-schedule record of the {@link MemoryStore}; times live in its typed-array columns at index `slot`. */
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

  constructor(
    readonly slot: number,
    definition: ScheduleDefinition,
    hash: string,
  ) {
    this.definition = definition;
    this.hash = hash;
  }
}

/**
 * Freezes `value` and everything reachable from it (a frozen parent may hold unfrozen children).
 * Depth-capped instead of tracking visited objects: definitions are JSON, so deep nesting means a
 * cycle, and the cap keeps the walk allocation-free.
 */
export function deepFreeze<T>(value: T, depth = 0): T {
  if (typeof value === 'object' && value !== null && depth < 32) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key], depth + 1);
  }
  return value;
}
