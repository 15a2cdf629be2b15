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
 * trigger. With `coalesce: 'latest'` the policy also decides, for a caller that fell behind, to fire
 * the newest due occurrence alone and miss the ones before it: that is planned too (`catchUp`),
 * after the same two checks for every pair of listed occurrences, so a claim that comes late
 * still commits at once instead of falling back to the more costly claim, plan and commit round
 * (which kept a process that fell behind once behind).
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
  const input: { -readonly [K in keyof PlanInput]: PlanInput[K] } = { trigger, policy: definition.policy, nextRunAt: at, state: { anchor: state.anchor, runs: state.runs }, now: at };
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
  if (occurrences.length === 0) return undefined;
  return { graceMs, occurrences, catchUp: catchesUp(policy, input, [plan.nextRunAt, ...occurrences], graceMs) };
}

/**
 * True when, for every listed occurrence `chain[i]` as the next run and every later `chain[j]`
 * with one after it, the policy asked at `chain[j]` and at the last instant the store would use
 * the plan fires `chain[j]` alone, misses `chain[i..j-1]` and moves the next run to `chain[j+1]`
 * (what `claim-due-3.lua` does when behind, see {@link AheadPlan.catchUp}).
 */
function catchesUp(policy: (input: PlanInput) => Plan, input: { -readonly [K in keyof PlanInput]: PlanInput[K] }, chain: readonly number[], graceMs: number | null): boolean {
  for (let i = 0; i < chain.length - 2; i++) {
    input.nextRunAt = chain[i]!;
    for (let j = i + 1; j < chain.length - 1; j++) {
      const at = chain[j]!;
      const next = chain[j + 1]!;
      for (const now of [at, graceMs === null ? next - 1 : Math.min(next - 1, at + graceMs)]) {
        input.now = now;
        const p = policy(input);
        if (!(p.fire.length === 1 && p.fire[0] === at && p.missedCount === j - i && p.nextRunAt === next && p.missed?.first === chain[i] && p.missed?.last === chain[j - 1])) return false;
      }
    }
  }
  return true;
}

/** True when `plan` fires `at` and nothing else, and misses nothing. */
function firesAlone(plan: Plan, at: number): boolean {
  return plan.fire.length === 1 && plan.fire[0] === at && plan.missedCount === 0;
}
