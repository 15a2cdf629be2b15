/**
 * The next few occurrences of a schedule, for operators ("next five runs"). Pure: no clock, no I/O.
 */
import { nextFireTime } from './next-fire-time.js';
import type { TriggerSpec } from './trigger.js';

/** What {@link upcomingRuns} needs of a schedule's state. */
export interface UpcomingState {
  /** The stored next fire time (epoch ms), or `null` when the trigger is exhausted. */
  readonly nextRunAt: number | null;
  /** Occurrences fired so far (for `maxRuns`). */
  readonly runs: number;
  /** Phase anchor (epoch ms). */
  readonly anchor: number;
}

/**
 * Up to `count` occurrence times of a schedule, earliest first: its stored next fire time, then
 * each following occurrence of the trigger (honouring `endDate` and `maxRuns`).
 *
 * @remarks
 * With `from` (a paused job: what would run if it were resumed at `from`), the list starts with the
 * first occurrence strictly after `from` instead of the stored time, as a resume does (occurrences
 * during a pause are not caught up). Jitter is not applied: these are the trigger's times.
 *
 * @example
 * ```ts
 * upcomingRuns({ type: 'interval', everyMs: 60_000 }, { nextRunAt: 120_000, runs: 1, anchor: 0 }, 3);
 * // [120_000, 180_000, 240_000]
 * ```
 */
export function upcomingRuns(spec: TriggerSpec, state: UpcomingState, count: number, from?: number): number[] {
  const out: number[] = [];
  let runs = state.runs;
  let next = from === undefined ? state.nextRunAt : nextFireTime(spec, from, { anchor: state.anchor, runs });
  while (next !== null && out.length < count) {
    out.push(next);
    runs += 1;
    next = nextFireTime(spec, next, { anchor: state.anchor, runs });
  }
  return out;
}
