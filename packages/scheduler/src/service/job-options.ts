/**
 * What callers pass to `addJob` and how it becomes a stored trigger and policy.
 *
 * @remarks
 * Pure: no I/O, no timers. Policies are interned (one frozen object per distinct policy), so
 * 100k jobs with the same policy share one object instead of holding 100k copies.
 */
import { parseDuration } from '@xcore/core';
import type { TriggerSpec } from '../triggers/trigger.js';
import type { CoalesceMode, SchedulePolicy } from '../stores/store.js';
import { JobInvalidError } from '../errors.js';
import { nextFireTime } from '../triggers/next-fire-time.js';
import { validateCronExpression, validateTimezone } from '../triggers/validate.js';
import { shareCanonical } from '../stores/canonical-json.js';

/** A duration: milliseconds, or text like `"30s"`, `"5m"`, `"1h30m"`. */
export type DurationInput = number | string;
/** A date: a `Date`, epoch milliseconds or ISO 8601 text. */
export type DateInput = Date | number | string;

/** An interval period as calendar-free units (summed). */
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
  /** Stop after this many occurrences. */
  readonly maxRuns?: number;
}

/** A trigger as callers write it. */
export type TriggerInput =
  | ({ readonly type: 'interval' } & IntervalSpec & BoundsInput)
  | ({ readonly type: 'cron'; readonly expression: string; readonly timezone?: string } & BoundsInput)
  | { readonly type: 'date'; readonly runDate: DateInput };

/** Run policy options; every field falls back to the scheduler's `defaults`. */
export interface JobPolicyOptions {
  /** Concurrent runs allowed across all processes. @defaultValue `1` */
  readonly maxInstances?: number;
  /** Which of several due occurrences run after downtime. @defaultValue `'latest'` */
  readonly coalesce?: CoalesceMode;
  /** An occurrence later than this is missed, not run; `null` = no limit. @defaultValue `60000` */
  readonly misfireGraceTime?: DurationInput | null;
  /** Most occurrences `coalesce: 'all'` runs in one catch-up. @defaultValue `100` */
  readonly maxCatchUp?: number;
  /** Run timeout: aborts `ctx.signal` and records `timed_out`; `null` = none. @defaultValue `null` */
  readonly timeout?: DurationInput | null;
  /** Retries after a failed or timed-out attempt. @defaultValue `0` */
  readonly retries?: number;
  /** Base delay of the exponential retry backoff (with jitter). @defaultValue `1000` */
  readonly retryDelay?: DurationInput;
  /** Random delay added to each run, clamped before the next fire time. @defaultValue `0` */
  readonly jitter?: DurationInput;
  /** At `maxInstances`: `skip` the occurrence (event `job.skipped`) or `queue` it. @defaultValue `'skip'` */
  readonly overlap?: 'skip' | 'queue';
  /** Re-run an occurrence whose process died mid-run (at least once). @defaultValue `false` */
  readonly recover?: boolean;
  /** Run records kept in the job's history. @defaultValue `20` */
  readonly historyLimit?: number;
}

/**
 * Options of `addJob`: an id, exactly one kind of trigger, arguments and policy overrides.
 *
 * @remarks
 * The trigger is either `trigger: {...}` or one shorthand: `every` (interval), `cron` (+
 * `timezone`) or `runDate`. Giving two kinds is an `XCORE_ERR_JOB_INVALID` error.
 */
export interface AddJobOptions extends JobPolicyOptions, BoundsInput {
  /** Job id; a plugin's jobs are stored as `<plugin>:<id>`. */
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
}

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

function durationMs(value: DurationInput, jobId: string, field: string): number {
  const ms = typeof value === 'number' ? value : parseDuration(value);
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
    throw new JobInvalidError(`Job "${jobId}": ${field} must be a non-negative duration (ms or text like "30s"), got ${JSON.stringify(value)}.`);
  }
  return ms;
}

function intAtLeast(value: number, min: number, jobId: string, field: string): number {
  if (!Number.isInteger(value) || value < min) {
    throw new JobInvalidError(`Job "${jobId}": ${field} must be an integer >= ${min}, got ${JSON.stringify(value)}.`);
  }
  return value;
}

/** Merges policy options over defaults (durations to ms), validating each field. */
export function resolveDefaults(base: ResolvedDefaults, o: JobPolicyOptions, jobId: string): ResolvedDefaults {
  const nullable = (v: DurationInput | null | undefined, fallback: number | null, field: string): number | null =>
    v === undefined ? fallback : v === null ? null : durationMs(v, jobId, field);
  if (o.coalesce !== undefined && !['all', 'earliest', 'latest', 'skip'].includes(o.coalesce)) {
    throw new JobInvalidError(`Job "${jobId}": coalesce must be one of all, earliest, latest, skip; got ${JSON.stringify(o.coalesce)}.`);
  }
  if (o.overlap !== undefined && o.overlap !== 'skip' && o.overlap !== 'queue') {
    throw new JobInvalidError(`Job "${jobId}": overlap must be "skip" or "queue", got ${JSON.stringify(o.overlap)}.`);
  }
  return {
    maxInstances: o.maxInstances === undefined ? base.maxInstances : intAtLeast(o.maxInstances, 1, jobId, 'maxInstances'),
    coalesce: o.coalesce ?? base.coalesce,
    misfireGraceTimeMs: nullable(o.misfireGraceTime, base.misfireGraceTimeMs, 'misfireGraceTime'),
    maxCatchUp: o.maxCatchUp === undefined ? base.maxCatchUp : intAtLeast(o.maxCatchUp, 1, jobId, 'maxCatchUp'),
    timeoutMs: nullable(o.timeout, base.timeoutMs, 'timeout'),
    retries: o.retries === undefined ? base.retries : intAtLeast(o.retries, 0, jobId, 'retries'),
    retryDelayMs: o.retryDelay === undefined ? base.retryDelayMs : durationMs(o.retryDelay, jobId, 'retryDelay'),
    jitterMs: o.jitter === undefined ? base.jitterMs : durationMs(o.jitter, jobId, 'jitter'),
    overlap: o.overlap ?? base.overlap,
    recover: o.recover ?? base.recover,
    historyLimit: o.historyLimit === undefined ? base.historyLimit : intAtLeast(o.historyLimit, 0, jobId, 'historyLimit'),
  };
}

const interned = new Map<string, SchedulePolicy>();

/**
 * The stored policy of a job: one frozen, shared object per distinct policy.
 *
 * @remarks
 * The intern table only grows with distinct policies (a handful in practice), not with jobs.
 */
export function internPolicy(d: ResolvedDefaults): SchedulePolicy {
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

function dateMs(value: DateInput, jobId: string, field: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new JobInvalidError(`Job "${jobId}": ${field} must be a Date, epoch ms or ISO 8601 text like "2026-01-31T09:00:00Z", got ${JSON.stringify(value)}.`);
  }
  return ms;
}

/** Milliseconds of an interval spec, validating each unit. */
export function intervalMs(spec: IntervalSpec | DurationInput, jobId: string): number {
  if (typeof spec === 'number' || typeof spec === 'string') {
    const ms = durationMs(spec, jobId, 'interval');
    if (ms < 1) throw new JobInvalidError(`Job "${jobId}": the interval must be at least 1 ms, got ${JSON.stringify(spec)}.`);
    return ms;
  }
  const units: [keyof IntervalSpec, number][] = [['weeks', 604_800_000], ['days', 86_400_000], ['hours', 3_600_000], ['minutes', 60_000], ['seconds', 1_000], ['milliseconds', 1]];
  let total = 0;
  for (const [unit, factor] of units) {
    const v = spec[unit];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new JobInvalidError(`Job "${jobId}": interval ${unit} must be a non-negative number, got ${JSON.stringify(v)}.`);
    }
    total += v * factor;
  }
  total = Math.round(total);
  if (total < 1) {
    throw new JobInvalidError(`Job "${jobId}": the interval is zero; set at least one of weeks, days, hours, minutes, seconds, milliseconds (e.g. { seconds: 30 }).`);
  }
  return total;
}

function withBounds<T extends object>(spec: T, b: BoundsInput, jobId: string): T {
  // Adds to the caller's fresh literal instead of spreading a copy: a spread copy gets a hidden
  // class of its own per object once bounds are added (about 250 B per job at 100k jobs).
  const out = spec as Record<string, unknown>;
  if (b.startDate !== undefined) out['startDate'] = dateMs(b.startDate, jobId, 'startDate');
  if (b.endDate !== undefined) out['endDate'] = dateMs(b.endDate, jobId, 'endDate');
  if (b.maxRuns !== undefined) out['maxRuns'] = intAtLeast(b.maxRuns, 1, jobId, 'maxRuns');
  if (typeof out['startDate'] === 'number' && typeof out['endDate'] === 'number' && out['endDate'] < out['startDate']) {
    throw new JobInvalidError(`Job "${jobId}": endDate is before startDate.`);
  }
  return out as T;
}

/**
 * Turns `addJob` options into a serialisable trigger spec.
 *
 * @throws `XCORE_ERR_JOB_INVALID` naming the job when no trigger or more than one kind is given,
 * or a field is out of range. Cron syntax and timezones are checked by the caller.
 */
export function toTriggerSpec(o: AddJobOptions, jobId: string, defaultTimezone: string): TriggerSpec {
  const kinds = [o.trigger !== undefined && 'trigger', o.every !== undefined && 'every', o.cron !== undefined && 'cron', o.runDate !== undefined && 'runDate'].filter(Boolean);
  if (kinds.length === 0) {
    throw new JobInvalidError(`Job "${jobId}" has no trigger: pass one of trigger, every, cron or runDate (e.g. { every: '30s' }).`);
  }
  if (kinds.length > 1) {
    throw new JobInvalidError(`Job "${jobId}" has more than one trigger (${kinds.join(', ')}); keep exactly one.`);
  }
  if (o.every !== undefined) return internTrigger(Object.freeze(withBounds({ type: 'interval' as const, everyMs: intervalMs(o.every, jobId) }, o, jobId)));
  if (o.cron !== undefined) return internTrigger(Object.freeze(withBounds({ type: 'cron' as const, expression: o.cron, timezone: o.timezone ?? defaultTimezone }, o, jobId)));
  if (o.runDate !== undefined) return Object.freeze({ type: 'date' as const, runDate: dateMs(o.runDate, jobId, 'runDate') });
  const t = o.trigger!;
  if (t === null || typeof t !== 'object') throw new JobInvalidError(`Job "${jobId}": trigger must be an object such as { type: 'interval', seconds: 30 }.`);
  const bounds = (b: BoundsInput): BoundsInput => ({
    ...(o.startDate === undefined ? {} : { startDate: o.startDate }),
    ...(o.endDate === undefined ? {} : { endDate: o.endDate }),
    ...(o.maxRuns === undefined ? {} : { maxRuns: o.maxRuns }),
    ...(b.startDate === undefined ? {} : { startDate: b.startDate }),
    ...(b.endDate === undefined ? {} : { endDate: b.endDate }),
    ...(b.maxRuns === undefined ? {} : { maxRuns: b.maxRuns }),
  });
  switch (t.type) {
    case 'interval':
      return internTrigger(Object.freeze(withBounds({ type: 'interval' as const, everyMs: intervalMs(t, jobId) }, bounds(t), jobId)));
    case 'cron':
      if (typeof t.expression !== 'string' || t.expression.trim() === '') {
        throw new JobInvalidError(`Job "${jobId}": a cron trigger needs an expression such as "*/5 * * * *".`);
      }
      return internTrigger(Object.freeze(withBounds({ type: 'cron' as const, expression: t.expression, timezone: t.timezone ?? defaultTimezone }, bounds(t), jobId)));
    case 'date':
      return Object.freeze({ type: 'date' as const, runDate: dateMs(t.runDate, jobId, 'runDate') });
    default:
      throw new JobInvalidError(`Job "${jobId}": unknown trigger type ${JSON.stringify((t as { type?: unknown }).type)}; use interval, cron or date.`);
  }
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

/** Frozen job args; no args share one empty array. */
export function freezeArgs(args: readonly unknown[] | undefined): readonly unknown[] {
  if (args === undefined || args.length === 0) return EMPTY_ARGS;
  if (!Array.isArray(args)) throw new JobInvalidError(`Job args must be an array, got ${typeof args}.`);
  return Object.freeze([...args]);
}
