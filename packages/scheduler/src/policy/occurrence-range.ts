/**
 * Counting and sampling a trigger's occurrences in a time window without enumerating it
 * unboundedly. Pure; used by {@link planOccurrences} in `plan.ts`.
 */
import { occurrenceAfter } from '../triggers/next-fire-time.js';
import type { TriggerSpec } from '../triggers/trigger.js';

/**
 * Cron occurrences scanned one by one before the scan jumps ahead and estimates the rest. At
 * ~5 µs per step this bounds one plan to about 50 ms (a year of a once-a-second cron is 31.5M
 * occurrences). Steps another job on the same (expression, timezone) already took are answered
 * by the pattern's memo (`cron-schedule.ts`), so many jobs behind together scan about once.
 */
export const CRON_SCAN_LIMIT = 10_000;

/** The occurrences of a trigger in `(after, to]`. */
export interface OccurrenceRange {
  /** How many there are (estimated past {@link CRON_SCAN_LIMIT} for cron, see `exact`). */
  readonly count: number;
  /** The oldest one, or `null` when `count` is 0. */
  readonly first: number | null;
  /** The newest `keep` ones, oldest first (fewer when there are fewer). */
  readonly newest: number[];
  /** The first occurrence after `to`, or `null` when the trigger is exhausted. */
  readonly next: number | null;
  /** `false` when `count` was estimated from the cron pattern's rate. */
  readonly exact: boolean;
}

/**
 * The occurrences of `spec` in `(after, to]`, ignoring `maxRuns` (the caller applies it).
 *
 * @remarks
 * Interval triggers are counted arithmetically (O(keep)); date triggers have at most one; cron
 * triggers are scanned, and past {@link CRON_SCAN_LIMIT} occurrences the scan estimates how many
 * fall in the part it jumps over from the rate it saw, then resumes just before `to` so the
 * newest `keep` are exact.
 */
export function occurrencesBetween(spec: TriggerSpec, anchor: number, after: number, to: number, keep: number): OccurrenceRange {
  if (spec.type === 'date') {
    const inside = spec.runDate > after && spec.runDate <= to;
    return {
      count: inside ? 1 : 0,
      first: inside ? spec.runDate : null,
      newest: inside && keep > 0 ? [spec.runDate] : [],
      next: spec.runDate > to ? spec.runDate : null,
      exact: true,
    };
  }
  if (spec.type === 'interval') {
    const every = spec.everyMs;
    const base = spec.startDate ?? anchor;
    const kMin = spec.startDate === undefined ? 1 : 0;
    const kMax = spec.endDate === undefined ? Number.POSITIVE_INFINITY : Math.floor((spec.endDate - base) / every);
    const kLo = Math.max(kMin, Math.floor((after - base) / every) + 1);
    const kAfterTo = Math.max(kLo, Math.floor((to - base) / every) + 1);
    // A step count past 2^53 is inexact (dates far outside the Date range in stored data): k++
    // would not advance. Nothing can be counted exactly, so the trigger is treated as exhausted.
    if (!Number.isSafeInteger(kLo) || !Number.isSafeInteger(kAfterTo)) return { count: 0, first: null, newest: [], next: null, exact: true };
    const kHi = Math.min(kMax, kAfterTo - 1);
    const count = Math.max(0, kHi - kLo + 1);
    const newest: number[] = [];
    for (let k = Math.max(kLo, kHi - keep + 1); k <= kHi; k++) newest.push(base + k * every);
    return {
      count,
      first: count > 0 ? base + kLo * every : null,
      newest,
      next: kAfterTo <= kMax ? base + kAfterTo * every : null,
      exact: true,
    };
  }
  return scanCron(spec, anchor, after, to, keep);
}

function scanCron(spec: TriggerSpec, anchor: number, after: number, to: number, keep: number): OccurrenceRange {
  let count = 0;
  let first: number | null = null;
  let exact = true;
  const ring: number[] = [];
  let ringStart = 0;
  let cursor = after;
  let phaseCount = 0;
  let phaseFirst = 0;
  for (;;) {
    const n = occurrenceAfter(spec, cursor, anchor);
    if (n === null || n > to) {
      const newest = ring.length < keep ? ring : ring.slice(ringStart).concat(ring.slice(0, ringStart));
      return { count, first, newest, next: n, exact };
    }
    count++;
    if (first === null) first = n;
    if (keep > 0) {
      if (ring.length < keep) ring.push(n);
      else {
        ring[ringStart] = n;
        ringStart = (ringStart + 1) % keep;
      }
    }
    if (phaseCount === 0) phaseFirst = n;
    phaseCount++;
    cursor = n;
    if (phaseCount >= CRON_SCAN_LIMIT && n > phaseFirst) {
      const rate = (phaseCount - 1) / (n - phaseFirst);
      // Resume where about 2 * keep occurrences remain before `to`, so the newest are exact.
      const jumpTo = to - Math.ceil((2 * Math.max(keep, 1)) / rate);
      if (jumpTo > cursor) {
        count += Math.round((jumpTo - cursor) * rate);
        exact = false;
        cursor = jumpTo;
        ring.length = 0;
        ringStart = 0;
      }
      phaseCount = 0;
    }
  }
}
