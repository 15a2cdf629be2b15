/**
 * The layout of the {@link MemoryStore}'s time rows, and reading a schedule out of its row.
 *
 * @remarks
 * Pure, no I/O. The store keeps every schedule's times in one `Float64Array`, one row of
 * {@link ROW} doubles per `Entry.slot`: rows, not one array per field, because a fire reads and
 * writes most of its row and at 100k schedules each separate column was a cache miss. A row is
 * 64 bytes, one cache line. `NaN` encodes `null` in `NEXT`.
 */
import { ClaimedState } from './claimed-state.js';
import type { Entry } from './memory-entry.js';
import type { StoredSchedule } from './store.js';

/** Doubles per row. */
export const ROW = 8;
/** Field: the next run, epoch ms (`NaN`: none). */
export const NEXT = 0;
/** Field: the current claim's lease end. */
export const LEASE = 1;
/** Field: the interval phase anchor (the epoch, unless stored by an older version). */
export const ANCHOR = 2;
/** Field: created at. */
export const CREATED = 3;
/** Field: updated at. */
export const UPDATED = 4;
/** Field: the highest occurrence ever accepted (the de-duplication watermark). */
export const FIRED = 5;

/** A copy of `entry`'s schedule and state, read from its row of `times`. */
export function snapshotOf(times: Float64Array, entry: Entry): StoredSchedule {
  const s = entry.slot;
  const next = times[s * ROW + NEXT] as number;
  return {
    definition: entry.definition,
    state: {
      nextRunAt: Number.isNaN(next) ? null : next,
      paused: entry.paused,
      runs: entry.runs,
      anchor: times[s * ROW + ANCHOR] as number,
      createdAt: times[s * ROW + CREATED] as number,
      updatedAt: times[s * ROW + UPDATED] as number,
      lastRun: entry.history === null ? entry.lastRun : entry.history.latest(entry.definition.id),
      hash: entry.hash,
      token: entry.token,
    },
  };
}

/** The claim handed out for `entry`: claim, schedule and state in one object, `lastRun` rebuilt only if read (see {@link ClaimedState}). */
export function claimOf(times: Float64Array, entry: Entry, leaseUntil: number): ClaimedState {
  const s = entry.slot;
  const next = times[s * ROW + NEXT] as number;
  const ring = entry.history;
  return new ClaimedState(
    entry.definition, leaseUntil, s, Number.isNaN(next) ? null : next, entry.paused, entry.runs, times[s * ROW + ANCHOR] as number,
    times[s * ROW + CREATED] as number, times[s * ROW + UPDATED] as number, entry.hash, entry.token, ring, ring === null ? 0 : entry.historyWritten, entry.lastRun,
  );
}
