/**
 * One page of `MemoryStore.listPage`: scan ids in order from a start index, keep the schedules
 * that match the filter. Pure: the store lends its entries.
 */
import type { Entry } from './memory-entry.js';
import type { StoredSchedule } from './store.js';
import type { ScheduleFilter, SchedulePage } from './store-operator.js';

/** Ids examined per call at most (about 10 ms), so a filter that matches little cannot hold the event loop long. */
export const MAX_SCAN_PER_PAGE = 5_000;

/** How the page reads the store's entries. */
export interface ScheduleRowSource {
  /** The live entry of `id`, or `undefined` when removed. */
  entry(id: string): Entry | undefined;
  /** The entry as a stored schedule. */
  snapshot(entry: Entry): StoredSchedule;
  /** The entry's next run (`NaN`: none). */
  next(entry: Entry): number;
}

/** True when an entry's last run failed or timed out (read from its history ring: no record is built). */
export function isFailing(entry: Entry): boolean {
  const status = entry.history === null ? entry.lastRun?.status : entry.history.latestStatus();
  return status === 'failed' || status === 'timed_out' || status === 'crashed' || status === 'out_of_memory';
}

/** True when `entry` passes the filter fields that need no snapshot. */
function passesCheap(id: string, entry: Entry, next: number, filter: ScheduleFilter): boolean {
  if (filter.owner !== undefined && entry.definition.owner !== filter.owner) return false;
  if (filter.paused !== undefined && entry.paused !== filter.paused) return false;
  if (filter.hasNext !== undefined && Number.isNaN(next) === filter.hasNext) return false;
  return filter.idContains === undefined || id.includes(filter.idContains);
}

/**
 * Up to `limit` matching schedules from `range.ids[range.start]` on, examining at most
 * {@link MAX_SCAN_PER_PAGE} ids.
 */
export function listScheduleRange(
  range: { readonly ids: readonly string[]; readonly start: number },
  limit: number,
  filter: ScheduleFilter,
  rows: ScheduleRowSource,
): SchedulePage {
  const { ids } = range;
  const items: StoredSchedule[] = [];
  const end = Math.min(ids.length, range.start + MAX_SCAN_PER_PAGE);
  let i = range.start;
  for (; i < end && items.length < limit; i++) {
    const id = ids[i] as string;
    const entry = rows.entry(id);
    if (entry === undefined || !passesCheap(id, entry, rows.next(entry), filter)) continue;
    if (filter.failing !== undefined && isFailing(entry) !== filter.failing) continue;
    items.push(rows.snapshot(entry));
  }
  return { items, next: i < ids.length ? (ids[i - 1] ?? null) : null };
}
