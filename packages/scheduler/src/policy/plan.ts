/**
 * Pure misfire/coalesce policy: which due occurrences of a claimed schedule run, which are missed,
 * and the next fire time. Shared by every store; no I/O, no timers.
 */
import type { SchedulePolicy } from '../stores/store.js';
import type { TriggerSpec, TriggerState } from '../triggers/trigger.js';
import { JobInvalidError } from '../errors.js';
import { occurrencesBetween } from './occurrence-range.js';
import { occurrenceAfter } from '../triggers/next-fire-time.js';

/** The oldest and newest occurrence (epoch ms) a plan dropped as missed. */
export interface MissedRange {
  readonly first: number;
  readonly last: number;
}

/** What to do with a claimed schedule at `now`. */
export interface Plan {
  /** Occurrences (scheduledAt, epoch ms) to dispatch, oldest first. */
  readonly fire: number[];
  /** How many due occurrences are dropped as missed. */
  readonly missedCount: number;
  /**
   * The oldest and newest missed occurrence (epoch ms), or absent when none is missed. Between
   * them some occurrences may have run (`coalesce: earliest` runs one in the middle of a backlog).
   */
  readonly missed?: MissedRange;
  /** The next fire time after this plan, or `null` when the trigger is exhausted. */
  readonly nextRunAt: number | null;
}

/** Inputs of {@link planOccurrences}. */
export interface PlanInput {
  /** The schedule's trigger. */
  readonly trigger: TriggerSpec;
  /** The schedule's run policy (grace time, coalesce mode, catch-up cap). */
  readonly policy: SchedulePolicy;
  /** The schedule's stored next fire time (the first due occurrence). */
  readonly nextRunAt: number;
  /** Anchor and runs so far (`maxRuns` counts the runs this plan fires too). */
  readonly state: TriggerState;
  /** Store clock, epoch ms. */
  readonly now: number;
}

/**
 * Decides, at `now`, which due occurrences of a schedule run and which are missed, and computes
 * the next fire time.
 *
 * @remarks
 * **Due** occurrences are `input.nextRunAt` and every later occurrence of the trigger up to and
 * including `now`. They are never enumerated without bound: interval triggers are counted
 * arithmetically (a year of downtime at 1 s is O(1)), cron triggers are scanned up to
 * `CRON_SCAN_LIMIT` occurrences and the rest is estimated (so `missedCount` is approximate only
 * for a cron backlog of more than 10,000 occurrences).
 *
 * **Grace time first.** As in APScheduler, an occurrence later than `misfireGraceTimeMs`
 * (`now - scheduledAt > misfireGraceTimeMs`) is missed, whatever the coalesce mode; coalescing
 * then chooses among the on-time ones. `null` means no limit (every due occurrence is on time).
 *
 * **Coalesce**, worked on one example: an every-minute job is down from 10:00:30 to 10:05:10, so
 * 10:01, 10:02, 10:03, 10:04 and 10:05 are due at `now` = 10:05:10, with `misfireGraceTimeMs`
 * 150 000 (2.5 min), so 10:01 and 10:02 are missed by grace and 10:03, 10:04, 10:05 are on time:
 * - `all`: runs every on-time occurrence, the newest `maxCatchUp` of them (older ones are
 *   missed, so missed occurrences are always the oldest): fire 10:03, 10:04, 10:05, missed 2;
 *   with `maxCatchUp: 2`, fire 10:04, 10:05, missed 3. A `maxCatchUp` below 1 counts as 1.
 * - `earliest`: runs the first on-time one: fire 10:03, missed 4.
 * - `latest`: runs the last one: fire 10:05, missed 4.
 * - `skip`: a backlog (more than one due occurrence) runs nothing: fire none, missed 5. A single
 *   on-time due occurrence (the normal case, no downtime) runs as usual.
 *
 * **maxRuns**: at most `maxRuns - state.runs` occurrences fire (the newest of the chosen ones;
 * the others are missed), and `nextRunAt` is `null` once `state.runs + fire.length` reaches it.
 *
 * **nextRunAt** is the first occurrence strictly after `now`, or `null` when the trigger is
 * exhausted (`endDate`, a date trigger, `maxRuns`). `fire.length + missedCount` always equals
 * the number of due occurrences. Nothing due (`nextRunAt > now`) returns an empty plan that keeps
 * `nextRunAt`.
 *
 * @example
 * ```ts
 * planOccurrences({
 *   trigger: { type: 'interval', everyMs: 60_000 },
 *   policy: { ...policy, coalesce: 'latest', misfireGraceTimeMs: null },
 *   nextRunAt: Date.parse('2026-01-01T10:01:00Z'),
 *   state: { anchor: Date.parse('2026-01-01T10:00:00Z'), runs: 0 },
 *   now: Date.parse('2026-01-01T10:05:10Z'),
 * });
 * // { fire: [10:05], missedCount: 4, nextRunAt: 10:06 } (as epoch ms)
 * ```
 */
export function planOccurrences(input: PlanInput): Plan {
  const { trigger, policy, nextRunAt, state, now } = input;
  const maxRuns = trigger.type === 'date' ? undefined : trigger.maxRuns;
  const remaining = maxRuns === undefined ? Number.POSITIVE_INFINITY : maxRuns - state.runs;
  if (remaining <= 0) return { fire: [], missedCount: 0, nextRunAt: null };
  if (nextRunAt > now) return { fire: [], missedCount: 0, nextRunAt };

  const grace = policy.misfireGraceTimeMs;
  // Fast path, the steady state of every firing: one due occurrence, on time, no run limit.
  // Every coalesce mode fires it; O(1) and no range arrays (same result as the general path).
  const mode = policy.coalesce;
  if (maxRuns === undefined && (grace === null || nextRunAt >= Math.ceil(now - Math.max(0, grace)))
    && (mode === 'latest' || mode === 'all' || mode === 'earliest' || mode === 'skip')) {
    const after = occurrenceAfter(trigger, nextRunAt, state.anchor);
    if (after === null || after > now) return { fire: [nextRunAt], missedCount: 0, nextRunAt: after };
  }
  // An occurrence is on time when it is at or after this instant (integer ms).
  const onTimeFrom = grace === null ? Number.NEGATIVE_INFINITY : Math.ceil(now - Math.max(0, grace));
  const keep = policy.coalesce === 'all' ? catchUpCap(policy.maxCatchUp) : 1;

  let lateCount = 0;
  let onTimeCount = 0;
  let firstOnTime: number | null = null;
  // The newest keep + 1 due occurrences, oldest first: the newest `keep` on-time ones may fire,
  // and the one before them is the newest missed one.
  let tail: number[] = [];
  let next: number | null;
  if (nextRunAt >= onTimeFrom) {
    const rest = occurrencesBetween(trigger, state.anchor, nextRunAt, now, keep + 1);
    onTimeCount = 1 + rest.count;
    firstOnTime = nextRunAt;
    tail = rest.newest.length > keep ? rest.newest : [nextRunAt, ...rest.newest];
    next = rest.next;
  } else {
    const late = occurrencesBetween(trigger, state.anchor, nextRunAt, onTimeFrom - 1, 1);
    lateCount = 1 + late.count;
    tail = [late.newest[0] ?? nextRunAt];
    next = late.next;
    if (late.next !== null && late.next <= now) {
      const start = late.next;
      const rest = occurrencesBetween(trigger, state.anchor, start, now, keep + 1);
      onTimeCount = 1 + rest.count;
      firstOnTime = start;
      const onTime = rest.newest.length > keep ? rest.newest : [start, ...rest.newest];
      tail = onTime.length > keep ? onTime : [...tail, ...onTime];
      next = rest.next;
    }
  }
  const newest = onTimeCount === 0 ? [] : tail.slice(-Math.min(keep, onTimeCount));

  const due = lateCount + onTimeCount;
  let fire: number[];
  switch (policy.coalesce) {
    case 'all':
      fire = newest;
      break;
    case 'earliest':
      fire = firstOnTime === null ? [] : [firstOnTime];
      break;
    case 'latest':
      fire = onTimeCount > 0 ? newest.slice(-1) : [];
      break;
    case 'skip':
      fire = due === 1 && firstOnTime !== null ? [firstOnTime] : [];
      break;
    default: {
      const mode: never = policy.coalesce;
      throw new JobInvalidError(`coalesce must be one of all, earliest, latest, skip; found "${String(mode)}"`);
    }
  }
  if (fire.length > remaining) fire = fire.slice(fire.length - remaining);
  const exhausted = maxRuns !== undefined && state.runs + fire.length >= maxRuns;
  const missedCount = due - fire.length;
  const plan = { fire, missedCount, nextRunAt: exhausted ? null : next };
  return missedCount === 0 ? plan : { ...plan, missed: missedRange(trigger, state.anchor, nextRunAt, tail, fire) };
}

/**
 * The oldest and newest missed occurrence of a plan: the due occurrences run from `firstDue` to
 * the last of `tail`, and `fire` is one contiguous stretch of them (a suffix for `all` and
 * `latest`, one occurrence for `earliest`, none or all for `skip`), so the missed ones are what
 * lies before and after it.
 */
function missedRange(trigger: TriggerSpec, anchor: number, firstDue: number, tail: readonly number[], fire: readonly number[]): MissedRange {
  const lastDue = tail[tail.length - 1]!;
  if (fire.length === 0) return { first: firstDue, last: lastDue };
  const firstFired = fire[0]!;
  const lastFired = fire[fire.length - 1]!;
  // Something is missed, so when nothing lies before the fired stretch something lies after it.
  const first = firstFired !== firstDue ? firstDue : occurrenceAfter(trigger, lastFired, anchor) ?? lastDue;
  const before = tail.indexOf(firstFired) - 1;
  const last = lastFired !== lastDue ? lastDue : tail[before] ?? firstDue;
  return { first, last };
}

/**
 * Largest `maxCatchUp` honoured (the options allow no more): a policy stored by an older version
 * or by hand cannot make one plan build a huge list of runs.
 */
const MAX_CATCH_UP = 10_000;

function catchUpCap(maxCatchUp: number): number {
  return maxCatchUp >= 1 ? Math.min(MAX_CATCH_UP, Math.floor(maxCatchUp)) : 1;
}
