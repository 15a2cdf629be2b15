/**
 * The entries the {@link MemoryStore}'s latest claim handed out, in claim order.
 *
 * @remarks
 * Pure data structure, no I/O. A commit usually names the claimed schedules in the order they
 * were claimed, and synchronous runs finish in that order too, so following this list with a
 * cursor finds each schedule's entry without hashing its id: at 100k schedules the `Map` probe is
 * a cache miss that costs more than the rest of a commit.
 */
import type { Entry } from './memory-entry.js';

/** How far past its cursor a lookup searches (callers may leave a few claims out). */
const LOOKAHEAD = 4;

/**
 * The latest claim's entries, with the cursor run records follow.
 *
 * @example
 * ```ts
 * const recent = new RecentClaims();
 * recent.reset(claimedEntries);
 * const k = recent.indexOf('job-1', 0, entries); // -1: not among the next few, look the id up
 * ```
 */
export class RecentClaims {
  private list: readonly Entry[] = [];
  /** Where the next finished run's lookup starts. */
  runCursor = 0;

  /** Replaces the list (a new claim) and rewinds the run cursor. */
  reset(list: readonly Entry[]): void {
    this.list = list;
    this.runCursor = 0;
  }

  /** The entry at position `k` of {@link RecentClaims.indexOf}. */
  at(k: number): Entry {
    return this.list[k] as Entry;
  }

  /**
   * Position of the live entry of `id` among the few at and after `from`, or `-1`; `entries`
   * is the store's table by slot, which tells a live entry from one removed since the claim.
   */
  indexOf(id: string, from: number, entries: readonly (Entry | undefined)[]): number {
    const list = this.list;
    const end = Math.min(from + LOOKAHEAD, list.length);
    for (let k = from; k < end; k++) {
      const hint = list[k] as Entry;
      if (hint.id === id && entries[hint.slot] === hint) return k;
    }
    return -1;
  }
}
