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
 * (the first run is at `startDate`); without it the anchor is the schedule's first registration
 * (`state.anchor`) and `k >= 1` (the first run is one period after registering, as `setInterval`).
 * O(1) whatever the gap: after a year of downtime there is no loop.
 *
 * @internal
 */
export function intervalNextAfter(spec: IntervalTriggerSpec, after: number, anchor: number): number {
  const base = spec.startDate ?? anchor;
  const kMin = spec.startDate === undefined ? 1 : 0;
  const k = Math.max(kMin, Math.floor((after - base) / spec.everyMs) + 1);
  return base + k * spec.everyMs;
}

/**
 * First occurrence of `spec` strictly after `after`, ignoring `maxRuns` but honouring
 * `startDate` and `endDate`; `null` when there is none.
 *
 * @internal
 */
export function occurrenceAfter(spec: TriggerSpec, after: number, anchor: number): number | null {
  if (spec.type === 'date') return spec.runDate > after ? spec.runDate : null;
  let next: number | null;
  if (spec.type === 'interval') {
    next = intervalNextAfter(spec, after, anchor);
  } else {
    // Cron times are whole seconds and `after` is exclusive, so start one ms before startDate.
    const from = spec.startDate !== undefined && spec.startDate - 1 > after ? spec.startDate - 1 : after;
    next = cronNextAfter(spec.expression, spec.timezone, from);
  }
  if (next === null || (spec.endDate !== undefined && next > spec.endDate)) return null;
  return next;
}

/**
 * The first occurrence of `spec` strictly after `after` (epoch ms), or `null` when the trigger is
 * exhausted.
 *
 * @remarks
 * - **interval**: `anchor + k * everyMs`, where the anchor is `startDate` if set (first run at
 *   `startDate`, `k >= 0`) and else `state.anchor`, the schedule's first registration (first run
 *   one period later, `k >= 1`). Computed arithmetically, O(1) after any downtime. Interval
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
