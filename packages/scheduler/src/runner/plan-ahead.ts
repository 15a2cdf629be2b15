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
 *
 * The built-in policy ({@link planOccurrences}) is not asked: what it decides over the plan's
 * range follows from its definition (see {@link planAheadBuiltIn}), so its plans are the
 * trigger's next occurrences, and catch-up follows from its coalesce mode, cap and grace. Asking
 * it cost 72 policy calls per plan of 12, 56 of them for the pairs (about 100-180 µs per plan, made
 * once per 9 firings of each schedule with its own phase).
 */
import type { AheadPlan, ScheduleDefinition } from '../stores/store.js';
import type { TriggerState } from '../triggers/trigger.js';
import { planOccurrences, type Plan, type PlanInput } from '../policy/plan.js';
import { occurrenceAfter } from '../triggers/next-fire-time.js';

/** Most occurrences planned ahead per commit (see {@link aheadLength}). */
export const AHEAD_OCCURRENCES = 36;

/** Fewest occurrences a commit stores ahead of a longer plan (see {@link aheadLength}). */
export const AHEAD_FEWEST = 12;

/**
 * How many occurrences of a plan made ahead the commit of turn `turn` (0, 1, 2, ...) stores:
 * {@link AHEAD_FEWEST} to {@link AHEAD_OCCURRENCES} in turn, 24 on average, so one firing in 25
 * of a schedule takes the claim path.
 *
 * @remarks
 * Longer plans make the claim path rarer: a firing that takes it costs a claim's two `HMGET`s
 * and longer reply, a plan and a commit item in the process, and a commit call (its round trip
 * and its Redis time) in series with the burst's next claim, against one step of the claim for
 * a commit ahead. With 4 to 12 (8 on average, one firing in 9), a 10k burst's claims of 1000
 * carried 111 claim-path schedules each, and those batches took about 40 % longer than batches
 * committed ahead entirely (a trace of one process's store calls, loaded 2-vCPU VM: 37-47 ms
 * per batch with its commit against 26-33 ms). The price is Redis memory: each occurrence is
 * about 14 bytes of the schedule's `ahead` field (about 340 bytes on average instead of 110).
 *
 * Not the same for every commit: schedules committed together (registered together, or due
 * together) would otherwise all come back to the claim path at the same occurrence, every 9th
 * second of an every-second job, and that second would cost the claim, plan and commit of every
 * one of them. Handed out in turn, the lengths spread the claim-path firings over the seconds
 * after one round. Measured (`bench/redis.mjs --phase burst --seconds 10 --only xcore`, one run
 * each, 2 shared vCPUs): 30k schedules x 3 processes delivered 169,000 of 300,000 against 112,000
 * with 8 for every commit; at 10k x 1 (burst and spread) p99 was the same within noise.
 */
export function aheadLength(turn: number): number {
  return AHEAD_FEWEST + (turn % (AHEAD_OCCURRENCES - AHEAD_FEWEST + 1));
}

/**
 * The plans of the occurrences after `plan.nextRunAt`, or `undefined` when none can be made
 * (see the module doc). `plan` is the one just committed for `definition` in `state`; `most`
 * bounds the occurrences listed (a policy that is asked is asked about every pair of them).
 *
 * @example
 * ```ts
 * planAhead(planOccurrences, { ...definition, trigger: { type: 'interval', everyMs: 1000 } }, committedPlan, { anchor: 0, runs: 5 });
 * // { graceMs: null, occurrences: [next + 1000, next + 2000, ...] } (AHEAD_OCCURRENCES of them)
 * ```
 */
export function planAhead(policy: (input: PlanInput) => Plan, definition: ScheduleDefinition, plan: Plan, state: TriggerState, most = AHEAD_OCCURRENCES): AheadPlan | undefined {
  const { trigger } = definition;
  if (trigger.type === 'date' || trigger.maxRuns !== undefined || plan.nextRunAt === null) return undefined;
  const grace = definition.policy.misfireGraceTimeMs;
  const graceMs = grace === null ? null : Math.floor(Math.max(0, grace));
  if (policy === planOccurrences && BUILT_IN_MODES.has(definition.policy.coalesce)) return planAheadBuiltIn(definition, plan.nextRunAt, state.anchor, graceMs, most);
  const occurrences: number[] = [];
  let at = plan.nextRunAt;
  const input: { -readonly [K in keyof PlanInput]: PlanInput[K] } = { trigger, policy: definition.policy, nextRunAt: at, state: { anchor: state.anchor, runs: state.runs }, now: at };
  for (let k = 0; k < most; k++) {
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

/** The coalesce modes {@link planOccurrences} knows (another throws when asked, so it is asked). */
const BUILT_IN_MODES: ReadonlySet<string> = new Set(['all', 'earliest', 'latest', 'skip']);

/**
 * {@link planAhead} for the built-in policy, without asking it: the trigger's next
 * `most` occurrences after `first` (integers, each after the one before it).
 *
 * @remarks
 * What {@link planOccurrences} decides (no run limit, a known coalesce mode), for an occurrence
 * `at` as the next run, `next` the occurrence after it and `now` in `[at, min(next - 1, at +
 * graceMs)]`: `at` is on time (`now - grace <= at`, so `ceil(now - grace) <= at` for an integer
 * `at`) and the occurrence after it is past `now`, so its fast path fires `at` alone, misses
 * nothing and moves the next run to `next`, in every mode. With `coalesce: 'latest'`, for a next
 * run `o[i]` and `now` in the same range after a later `o[j]`: the due occurrences are
 * `o[i..j]`, the newest on-time one is `o[j]` (on time as above), so it fires `o[j]` alone,
 * misses the `j - i` before it (the oldest `o[i]`, the newest `o[j - 1]`) and moves the next run
 * to `o[j + 1]`: catch-up holds. The chain is at most `most` + 1 long, far
 * below the cron scan's estimate (exact counts). `plan-ahead.test.ts` checks both against the
 * policy asked.
 */
function planAheadBuiltIn(definition: ScheduleDefinition, first: number, anchor: number, graceMs: number | null, most: number): AheadPlan | undefined {
  const { trigger } = definition;
  if (!Number.isSafeInteger(first)) return undefined;
  const occurrences: number[] = [];
  let at = first;
  for (let k = 0; k < most; k++) {
    const next = occurrenceAfter(trigger, at, anchor);
    if (next === null || !(next > at) || !Number.isSafeInteger(next)) break;
    occurrences.push(next);
    at = next;
  }
  if (occurrences.length === 0) return undefined;
  return { graceMs, occurrences, catchUp: catchesUpBuiltIn(definition.policy, first, occurrences) };
}

/**
 * {@link catchesUp} for the built-in policy: `o[j]` fires alone after a backlog when it is the
 * newest due occurrence chosen (`latest`; `all` keeping one) or the only one on time (`earliest`
 * and `all`, when every gap the store may cross is wider than the grace: `o[j - 1] < now - grace`
 * for `now >= o[j]`). `skip` runs nothing of a backlog. A list of one occurrence is never
 * caught up on (the store needs the one after the fired one), so any answer holds; the pairs'
 * check answers `true`, and so does this.
 */
function catchesUpBuiltIn(policy: ScheduleDefinition['policy'], first: number, occurrences: readonly number[]): boolean {
  if (occurrences.length < 2) return true;
  const mode = policy.coalesce;
  if (mode === 'latest' || (mode === 'all' && !(policy.maxCatchUp >= 2))) return true;
  const grace = policy.misfireGraceTimeMs;
  if (mode === 'skip' || grace === null) return false;
  // The gaps before o[0] .. o[length - 2]: the store catches up to those only (it needs one after).
  let before = first;
  for (let j = 0; j < occurrences.length - 1; j++) {
    const at = occurrences[j]!;
    if (!(at - Math.max(0, grace) > before)) return false;
    before = at;
  }
  return true;
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
