/**
 * Plans made ahead (see {@link AheadPlan}): after a commit, the plans of a schedule's next few
 * occurrences, so a store claim with `commitAhead` commits them at once when they come due
 * instead of a claim, a plan and a commit each (the Redis store's burst path).
 *
 * @remarks
 * Pure: asks the policy (`plan`) only. An occurrence is planned ahead when the policy, asked at
 * the instant it is due and at the last instant the store will use the plan (just before the
 * occurrence after it, and no later than the grace time after it), fires it alone, misses
 * nothing and moves the next run to the same following occurrence: the policy is then the same
 * for every instant between (it depends on `now` only through the grace time and the due
 * occurrences). Never for a run limit (`maxRuns`: the plan depends on the run count) or a date
 * trigger.
 */
import type { AheadPlan, ScheduleDefinition } from '../stores/store.js';
import type { TriggerState } from '../triggers/trigger.js';
import type { Plan, PlanInput } from '../policy/plan.js';

/** Occurrences planned ahead per commit: every this many firings of a schedule, one takes the claim path. */
export const AHEAD_OCCURRENCES = 8;

/**
 * The plans of the occurrences after `plan.nextRunAt`, or `undefined` when none can be made
 * (see the module doc). `plan` is the one just committed for `definition` in `state`.
 *
 * @example
 * ```ts
 * planAhead(planOccurrences, { ...definition, trigger: { type: 'interval', everyMs: 1000 } }, committedPlan, { anchor: 0, runs: 5 });
 * // { graceMs: null, occurrences: [next + 1000, next + 2000, ...] } (8 of them)
 * ```
 */
export function planAhead(policy: (input: PlanInput) => Plan, definition: ScheduleDefinition, plan: Plan, state: TriggerState): AheadPlan | undefined {
  const { trigger } = definition;
  if (trigger.type === 'date' || trigger.maxRuns !== undefined || plan.nextRunAt === null) return undefined;
  const grace = definition.policy.misfireGraceTimeMs;
  const graceMs = grace === null ? null : Math.floor(Math.max(0, grace));
  const occurrences: number[] = [];
  let at = plan.nextRunAt;
  const input = { trigger, policy: definition.policy, nextRunAt: at, state: { anchor: state.anchor, runs: state.runs }, now: at };
  for (let k = 0; k < AHEAD_OCCURRENCES; k++) {
    input.nextRunAt = at;
    input.now = at;
    const first = policy(input);
    const next = first.nextRunAt;
    if (!firesAlone(first, at) || next === null || !(next > at) || !Number.isSafeInteger(next)) break;
    // The last instant the store uses this plan: before `next` is due, within the grace time.
    input.now = graceMs === null ? next - 1 : Math.min(next - 1, at + graceMs);
    const last = policy(input);
    if (!firesAlone(last, at) || last.nextRunAt !== next) break;
    occurrences.push(next);
    at = next;
  }
  return occurrences.length === 0 ? undefined : { graceMs, occurrences };
}

/** True when `plan` fires `at` and nothing else, and misses nothing. */
function firesAlone(plan: Plan, at: number): boolean {
  return plan.fire.length === 1 && plan.fire[0] === at && plan.missedCount === 0;
}
