/**
 * What callers pass to `addJob` and how it becomes a stored trigger and policy.
 *
 * @remarks
 * Pure: no I/O, no timers. The options are validated first (`parse-options.ts`, with the zod
 * schemas the YAML config shares); the functions here turn validated options into a frozen
 * trigger spec and policy. Policies are interned (one frozen object per distinct policy), so
 * 100k jobs with the same policy share one object instead of holding 100k copies.
 */
import type { TriggerSpec } from '../triggers/trigger.js';
import type { CoalesceMode, SchedulePolicy } from '../stores/store.js';
import { nextFireTime } from '../triggers/next-fire-time.js';
import { validateCronExpression, validateTimezone } from '../triggers/validate.js';
import { shareCanonical } from '../stores/canonical-json.js';
import { JobInvalidError } from '../errors.js';
import { intervalUnitsMs } from '../config/option-schemas.js';
import type { ParsedJobChanges } from './parse-options.js';

/** A duration: milliseconds (rounded to whole ms), or text like `"30s"`, `"5m"`, `"1h30m"`. */
export type DurationInput = number | string;
/** A date: a `Date`, epoch milliseconds or ISO 8601 text, from year 0000 to 9999. */
export type DateInput = Date | number | string;

/** An interval period as calendar-free units (each a number >= 0, summed to 1 ms .. 3650 days). */
export interface IntervalSpec {
  readonly weeks?: number;
  readonly days?: number;
  readonly hours?: number;
  readonly minutes?: number;
  readonly seconds?: number;
  readonly milliseconds?: number;
}

/** Start/end bounds and a run limit, shared by interval and cron triggers. */
export interface BoundsInput {
  /** No occurrence before this instant; an interval's phase is anchored here when set. */
  readonly startDate?: DateInput;
  /** No occurrence after this instant. */
  readonly endDate?: DateInput;
  /** Stop after this many occurrences (a whole number >= 1). */
  readonly maxRuns?: number;
}

/** A trigger as callers write it. */
export type TriggerInput =
  | ({ readonly type: 'interval' } & IntervalSpec & BoundsInput)
  | ({ readonly type: 'cron'; readonly expression: string; readonly timezone?: string } & BoundsInput)
  | { readonly type: 'date'; readonly runDate: DateInput };

/**
 * Run policy options; every field falls back to the scheduler's `defaults`.
 *
 * @remarks
 * Durations range from 0 to 3650 days (`timeout` from 1 ms); the ranges of the counts are on each
 * field. A value outside its range is `XCORE_ERR_JOB_INVALID` and nothing is stored.
 */
export interface JobPolicyOptions {
  /** Concurrent runs allowed across all processes, 1 to 10000. @defaultValue `1` */
  readonly maxInstances?: number;
  /** Which of several due occurrences run after downtime. @defaultValue `'latest'` */
  readonly coalesce?: CoalesceMode;
  /** An occurrence later than this is missed, not run; `null` = no limit. @defaultValue `60000` */
  readonly misfireGraceTime?: DurationInput | null;
  /** Most occurrences `coalesce: 'all'` runs in one catch-up, 1 to 10000. @defaultValue `100` */
  readonly maxCatchUp?: number;
  /** Run timeout: aborts `ctx.signal` and records `timed_out`; `null` = none. @defaultValue `null` */
  readonly timeout?: DurationInput | null;
  /** Retries after a failed or timed-out attempt, 0 to 1000. @defaultValue `0` */
  readonly retries?: number;
  /** Base delay of the exponential retry backoff (with jitter). @defaultValue `1000` */
  readonly retryDelay?: DurationInput;
  /** Random delay added to each run, clamped before the next fire time. @defaultValue `0` */
  readonly jitter?: DurationInput;
  /** At `maxInstances`: `skip` the occurrence (event `job.skipped`) or `queue` it. @defaultValue `'skip'` */
  readonly overlap?: 'skip' | 'queue';
  /** Re-run an occurrence whose process died mid-run (at least once). @defaultValue `false` */
  readonly recover?: boolean;
  /** Run records kept in the job's history, 0 to 10000. @defaultValue `20` */
  readonly historyLimit?: number;
}

/**
 * Options of `addJob`: an id, exactly one kind of trigger, arguments and policy overrides.
 *
 * @remarks
 * The trigger is either `trigger: {...}` or one shorthand: `every` (interval), `cron` (+
 * `timezone`) or `runDate`. Giving two kinds is an `XCORE_ERR_JOB_INVALID` error. Options are
 * validated with the zod schemas of the YAML config (`config/option-schemas.ts`); an unknown key is
 * an error too.
 */
export interface AddJobOptions extends JobPolicyOptions, BoundsInput {
  /** Job id: 1 to 200 characters without whitespace or control characters; a plugin's jobs are stored as `<plugin>:<id>`. */
  readonly id: string;
  /** The trigger, in full form. */
  readonly trigger?: TriggerInput;
  /** Interval shorthand: `every: '5s'` or `every: { minutes: 1 }`. */
  readonly every?: DurationInput | IntervalSpec;
  /** Cron shorthand: 5 or 6 fields or a macro such as `@daily`. */
  readonly cron?: string;
  /** Timezone of the cron shorthand. @defaultValue the scheduler's `timezone` */
  readonly timezone?: string;
  /** One-shot shorthand. */
  readonly runDate?: DateInput;
  /** JSON-serialisable arguments given to every run as `ctx.args`. @defaultValue `[]` */
  readonly args?: readonly unknown[];
  /** Replace a job with the same id instead of failing with `XCORE_ERR_JOB_CONFLICT`. @defaultValue `false` */
  readonly replaceExisting?: boolean;
  /**
   * Let operators remove the job (admin API `DELETE /admin/v1/jobs/{id}`) while its owner runs.
   *
   * @remarks
   * Without it, the operator view refuses to remove a job some live process holds (its plugin
   * runs, or it registered the YAML or app job), since the owner would register it again; with
   * it, the owner accepts that: the job is gone until the owner registers it again (next start).
   * @defaultValue `false`
   */
  readonly removable?: boolean;
  /**
   * Where the job runs: `inline` (the event loop), `thread` (a worker-thread pool) or `process` (a
   * child process per run).
   *
   * @remarks
   * `thread` and `process` run a module's export, not a function (functions do not cross
   * threads): give {@link AddJobOptions.module} and {@link AddJobOptions.export}, and `args` that
   * survive structured cloning. There the timeout is hard: the worker is terminated or the child
   * killed and the run recorded `timed_out`; a worker or child that dies is `crashed`, one past its
   * memory cap `out_of_memory`.
   * @defaultValue `'inline'` for a function; for a `module` job, `services.scheduler.defaults.executor` (itself `'inline'` by default)
   */
  readonly executor?: 'inline' | 'thread' | 'process';
  /**
   * The module whose export the job runs (instead of a function): an absolute path, a `file:` URL
   * (`new URL('./jobs/hash.js', import.meta.url)`) or a package name. Checked when the job is added:
   * it is imported in a worker thread and its export must be a function.
   */
  readonly module?: string | URL;
  /** The export of {@link AddJobOptions.module} that runs, called with the run context. @defaultValue `'default'` */
  readonly export?: string;
  /** Environment variables a `process` job's child gets (no others are passed). @defaultValue `[]` */
  readonly env?: readonly string[];
}

/** `addJob` options of a job addressed by module and export (no function), e.g. for `executor: 'thread'`. */
export type ModuleJobOptions = AddJobOptions & { readonly module: string | URL };

/** Defaults applied to a job's policy, in milliseconds (the validated `defaults` config section). */
export interface ResolvedDefaults {
  readonly maxInstances: number;
  readonly coalesce: CoalesceMode;
  readonly misfireGraceTimeMs: number | null;
  readonly maxCatchUp: number;
  readonly timeoutMs: number | null;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly jitterMs: number;
  readonly overlap: 'skip' | 'queue';
  readonly recover: boolean;
  readonly historyLimit: number;
}

/** The built-in policy defaults (documented on {@link JobPolicyOptions}). */
export const BUILTIN_DEFAULTS: ResolvedDefaults = Object.freeze({
  maxInstances: 1,
  coalesce: 'latest',
  // One minute: long enough to absorb a GC pause or a slow batch at 100k jobs, short enough that a
  // process down for longer does not fire stale work unless `coalesce` says to catch up.
  misfireGraceTimeMs: 60_000,
  maxCatchUp: 100,
  timeoutMs: null,
  retries: 0,
  retryDelayMs: 1_000,
  jitterMs: 0,
  overlap: 'skip',
  recover: false,
  historyLimit: 20,
});

/** Validated policy options (durations in ms), as `parse-options.ts` returns them. */
export type ParsedPolicy = Pick<ParsedJobChanges, keyof JobPolicyOptions>;

/** Merges validated policy options over defaults: `base` itself when `o` sets none of them. */
export function resolveDefaults(base: ResolvedDefaults, o: ParsedPolicy): ResolvedDefaults {
  if (
    o.maxInstances === undefined && o.coalesce === undefined && o.misfireGraceTime === undefined && o.maxCatchUp === undefined && o.timeout === undefined
    && o.retries === undefined && o.retryDelay === undefined && o.jitter === undefined && o.overlap === undefined && o.recover === undefined && o.historyLimit === undefined
  ) return base;
  return {
    maxInstances: o.maxInstances ?? base.maxInstances,
    coalesce: o.coalesce ?? base.coalesce,
    misfireGraceTimeMs: o.misfireGraceTime === undefined ? base.misfireGraceTimeMs : o.misfireGraceTime,
    maxCatchUp: o.maxCatchUp ?? base.maxCatchUp,
    timeoutMs: o.timeout === undefined ? base.timeoutMs : o.timeout,
    retries: o.retries ?? base.retries,
    retryDelayMs: o.retryDelay ?? base.retryDelayMs,
    jitterMs: o.jitter ?? base.jitterMs,
    overlap: o.overlap ?? base.overlap,
    recover: o.recover ?? base.recover,
    historyLimit: o.historyLimit ?? base.historyLimit,
  };
}

const interned = new Map<string, SchedulePolicy>();
/** The interned policy of a resolved-defaults object seen before (the scheduler's defaults, reused by every job that sets no policy). */
const internedByDefaults = new WeakMap<ResolvedDefaults, SchedulePolicy>();

/**
 * The stored policy of a job: one frozen, shared object per distinct policy.
 *
 * @remarks
 * The intern table only grows with distinct policies (a handful in practice), not with jobs.
 */
export function internPolicy(d: ResolvedDefaults): SchedulePolicy {
  const known = internedByDefaults.get(d);
  if (known !== undefined) return known;
  const policy = internPolicyByValue(d);
  // Only frozen defaults are remembered by identity: a mutable object could change under the key.
  if (Object.isFrozen(d)) internedByDefaults.set(d, policy);
  return policy;
}

function internPolicyByValue(d: ResolvedDefaults): SchedulePolicy {
  const key = `${d.misfireGraceTimeMs}|${d.coalesce}|${d.maxCatchUp}|${d.maxInstances}|${d.overlap}|${d.jitterMs}|${d.timeoutMs}|${d.retries}|${d.retryDelayMs}|${d.recover}`;
  let policy = interned.get(key);
  if (policy === undefined) {
    policy = shareCanonical(Object.freeze({
      misfireGraceTimeMs: d.misfireGraceTimeMs,
      coalesce: d.coalesce,
      maxCatchUp: d.maxCatchUp,
      maxInstances: d.maxInstances,
      overlap: d.overlap,
      jitterMs: d.jitterMs,
      timeoutMs: d.timeoutMs,
      retries: d.retries,
      retryDelayMs: d.retryDelayMs,
      recover: d.recover,
    }));
    interned.set(key, policy);
  }
  return policy;
}

type Bounds = { readonly startDate?: number | undefined; readonly endDate?: number | undefined; readonly maxRuns?: number | undefined };

function withBounds<T extends object>(spec: T, b: Bounds): T {
  // Adds to the caller's fresh literal instead of spreading a copy: a spread copy gets a hidden
  // class of its own per object once bounds are added (about 250 B per job at 100k jobs).
  const out = spec as Record<string, unknown>;
  if (b.startDate !== undefined) out['startDate'] = b.startDate;
  if (b.endDate !== undefined) out['endDate'] = b.endDate;
  if (b.maxRuns !== undefined) out['maxRuns'] = b.maxRuns;
  return out as T;
}

/**
 * Turns validated `addJob` options (or `modifyJob` changes that carry a trigger) into a frozen,
 * serialisable trigger spec.
 *
 * @remarks
 * Bounds given beside a full `trigger` apply to it; the trigger's own bounds win. The options
 * were checked by `parse-options.ts` (one kind of trigger, ranges, dates, `endDate` after
 * `startDate`); cron syntax and timezones are checked again with the job's timezone by
 * {@link validateTrigger}.
 */
export function toTriggerSpec(o: ParsedJobChanges, defaultTimezone: string): TriggerSpec {
  if (o.every !== undefined) {
    const everyMs = typeof o.every === 'number' ? o.every : intervalUnitsMs(o.every)!;
    return internTrigger(Object.freeze(withBounds({ type: 'interval' as const, everyMs }, o)));
  }
  if (o.cron !== undefined) return internTrigger(Object.freeze(withBounds({ type: 'cron' as const, expression: o.cron, timezone: o.timezone ?? defaultTimezone }, o)));
  if (o.runDate !== undefined) return Object.freeze({ type: 'date' as const, runDate: o.runDate });
  const t = o.trigger!;
  if (t.type === 'date') return Object.freeze({ type: 'date' as const, runDate: t.runDate });
  const bounds: Bounds = {
    startDate: t.startDate ?? o.startDate,
    endDate: t.endDate ?? o.endDate,
    maxRuns: t.maxRuns ?? o.maxRuns,
  };
  if (bounds.startDate !== undefined && bounds.endDate !== undefined && bounds.endDate < bounds.startDate) {
    // One bound from the options, the other from the trigger: the schema saw them apart.
    throw new JobInvalidError(`endDate (${new Date(bounds.endDate).toISOString()}) is before startDate (${new Date(bounds.startDate).toISOString()}); no occurrence could run. Nothing was stored.`);
  }
  if (t.type === 'interval') return internTrigger(Object.freeze(withBounds({ type: 'interval' as const, everyMs: intervalUnitsMs(t)! }, bounds)));
  return internTrigger(Object.freeze(withBounds({ type: 'cron' as const, expression: t.expression, timezone: t.timezone ?? defaultTimezone }, bounds)));
}

/** Most distinct triggers interned; past it, new ones are used as built (a bound on the table). */
const TRIGGER_INTERN_LIMIT = 10_000;
const internedTriggers = new Map<string, TriggerSpec>();

/**
 * One shared frozen object per distinct unbounded interval or cron trigger (`every: '1s'` on 100k
 * jobs is one object); triggers with bounds (`startDate`, `endDate`, `maxRuns`) are per job and
 * returned as given.
 */
function internTrigger(spec: TriggerSpec): TriggerSpec {
  if (spec.type === 'date' || spec.startDate !== undefined || spec.endDate !== undefined || spec.maxRuns !== undefined) return spec;
  const key = spec.type === 'interval' ? `i|${spec.everyMs}` : `c|${spec.timezone}|${spec.expression}`;
  const hit = internedTriggers.get(key);
  if (hit !== undefined) return hit;
  if (internedTriggers.size < TRIGGER_INTERN_LIMIT) internedTriggers.set(key, shareCanonical(spec));
  return spec;
}

const EMPTY_ARGS: readonly unknown[] = shareCanonical(Object.freeze([]));

/** Checks a cron trigger's timezone and expression (coded errors naming them). */
export function validateTrigger(trigger: TriggerSpec): void {
  if (trigger.type !== 'cron') return;
  validateTimezone(trigger.timezone);
  validateCronExpression(trigger.expression, trigger.timezone);
}

/** The first fire time of a trigger registered (or changed) at `now`; a date in the past is due at once. */
export function firstRunAt(trigger: TriggerSpec, now: number, anchor: number, runs: number): number | null {
  if (trigger.type === 'date') return trigger.runDate;
  return nextFireTime(trigger, now, { anchor, runs });
}

/** The resolved options behind a stored policy (to apply changes over it). */
export function fromPolicy(p: SchedulePolicy, historyLimit: number): ResolvedDefaults {
  return {
    maxInstances: p.maxInstances, coalesce: p.coalesce, misfireGraceTimeMs: p.misfireGraceTimeMs, maxCatchUp: p.maxCatchUp, timeoutMs: p.timeoutMs,
    retries: p.retries, retryDelayMs: p.retryDelayMs, jitterMs: p.jitterMs, overlap: p.overlap, recover: p.recover, historyLimit,
  };
}

/** Frozen job args (validated as an array); no args share one empty array. */
export function freezeArgs(args: readonly unknown[] | undefined): readonly unknown[] {
  if (args === undefined || args.length === 0) return EMPTY_ARGS;
  return Object.freeze([...args]);
}
