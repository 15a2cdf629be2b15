/**
 * The pure trigger function: the first occurrence of a trigger strictly after an instant.
 *
 * @remarks
 * No I/O, no timers, no clock: every input is explicit, so every process that shares a store
 * computes the same times. Times are epoch milliseconds.
 */
import { cronNextAfter } from './cron-schedule.js';
import type { IntervalTriggerSpec, TriggerSpec, TriggerState } from './trigger.js';

/**
 * First interval occurrence strictly after `after`, ignoring `maxRuns` and `endDate`.
 *
 * @remarks
 * Occurrences are `anchor + k * everyMs`. With `startDate` the anchor is `startDate` and `k >= 0`
 * (the first run is at `startDate`); without it the anchor is `state.anchor` (the epoch, `0`, for
 * schedules this version creates: `INTERVAL_ANCHOR` in `service/job-registry.ts`) and `k >= 1`.
 * O(1) whatever the gap: after a year of downtime there is no loop.
 *
 * @internal
 */
export function intervalNextAfter(spec: IntervalTriggerSpec, after: number, anchor: number): number {
  const base = spec.startDate ?? anchor;
  const kMin = spec.startDate === undefined ? 1 : 0;
  const k = Math.max(kMin, Math.floor((after - base) / spec.everyMs) + 1);
  // Past 2^53 the step count is inexact (a stored date far outside the Date range): no answer.
  return Number.isSafeInteger(k) ? base + k * spec.everyMs : Number.NaN;
}

/** Largest distance from the epoch, in ms, of an instant a `Date` can hold. */
export const MAX_INSTANT_MS = 8.64e15;

/** 0000-01-01T00:00:00.000Z, the earliest date the options accept. */
const YEAR_0_MS = -62_167_219_200_000;

/**
 * First occurrence of `spec` strictly after `after`, ignoring `maxRuns` but honouring
 * `startDate` and `endDate`; `null` when there is none.
 *
 * @internal
 */
export function occurrenceAfter(spec: TriggerSpec, after: number, anchor: number): number | null {
  let next: number | null;
  if (spec.type === 'date') {
    next = spec.runDate > after ? spec.runDate : null;
  } else if (spec.type === 'interval') {
    next = intervalNextAfter(spec, after, anchor);
  } else {
    // Cron times are whole seconds and `after` is exclusive, so start one ms before startDate.
    const from = spec.startDate !== undefined && spec.startDate - 1 > after ? spec.startDate - 1 : after;
    // Timezone math needs a time a Date can hold with any offset added: a stored time before year 0
    // searches from there, one past the Date range has no next time.
    next = from <= MAX_INSTANT_MS ? cronNextAfter(spec.expression, spec.timezone, Math.max(from, YEAR_0_MS)) : null;
  }
  if (next === null || (spec.type !== 'date' && spec.endDate !== undefined && next > spec.endDate)) return null;
  // Defensive against stored data no check let in (an older version, a hand edit): a time a Date
  // cannot hold, or one not after `after`, ends the trigger rather than breaking reads or looping.
  if (!(next > after && Math.abs(next) <= MAX_INSTANT_MS)) return null;
  return next;
}

/**
 * The first occurrence of `spec` strictly after `after` (epoch ms), or `null` when the trigger is
 * exhausted.
 *
 * @remarks
 * - **interval**: `anchor + k * everyMs`, where the anchor is `startDate` if set (first run at
 *   `startDate`, `k >= 0`) and else `state.anchor` (the epoch for new schedules, so every process
 *   and restart agrees on the phase; `k >= 1`). Computed arithmetically, O(1) after any downtime. Interval
 *   triggers ignore wall clocks and DST entirely.
 * - **cron**: croner's next match in the spec's IANA timezone; see `cron-schedule.ts` and
 *   `docs/dst.md` for DST (a skipped fixed time runs at the end of the gap, a repeated one runs
 *   once).
 * - **date**: `runDate` if it is after `after`, else `null`.
 *
 * Bounds: no occurrence before `startDate` or after `endDate` (both inclusive), and `null` once
 * `state.runs >= maxRuns`.
 *
 * @example
 * ```ts
 * const every5s = { type: 'interval', everyMs: 5_000 } as const;
 * nextFireTime(every5s, 12_300, { anchor: 1_000, runs: 0 }); // 16_000
 * nextFireTime({ type: 'cron', expression: '0 9 * * 1-5', timezone: 'Europe/Berlin' },
 *   Date.parse('2026-01-02T08:00:00Z'), { anchor: 0, runs: 0 }); // Date.parse('2026-01-05T08:00:00Z')
 * ```
 */
export function nextFireTime(spec: TriggerSpec, after: number, state: TriggerState): number | null {
  if (spec.type !== 'date' && spec.maxRuns !== undefined && state.runs >= spec.maxRuns) return null;
  return occurrenceAfter(spec, after, state.anchor);
}
