/**
 * The zod schema of `services.scheduler` in `xcore.yaml`.
 *
 * @remarks
 * Strict everywhere: an unknown key is an error the config loader points at by line. Durations
 * accept milliseconds or text (`"30s"`, `"1h30m"`) and come out as milliseconds. A job's schema has
 * the title `job`, so the loader names the job of any problem inside it (`(job "nightly")`). The
 * kernel builds the JSON Schema of the whole file from {@link schedulerConfigSchema}.
 */
import { duration } from '@xcore/core';
import { z } from 'zod';
import { validateCronExpression, validateTimezone } from '../triggers/validate.js';
import { runLogConfigSchema } from '../runlog/run-log-config.js';

/** Runs a throwing validator as a zod refinement, so `xcore validate` reports it at its line. */
function refineWith(check: (value: string) => void) {
  return (value: string, ctx: z.RefinementCtx): void => {
    try {
      check(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    }
  };
}

const timezoneValue = z.string().min(1).superRefine(refineWith(validateTimezone));

/** A date in config: ISO 8601 text, epoch milliseconds or a YAML timestamp; output is epoch ms. */
const dateValue = z.union([z.string(), z.number(), z.date()]).transform((value, ctx) => {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: `expected an ISO 8601 date like "2026-01-31T09:00:00Z", got "${String(value)}"` });
    return z.NEVER;
  }
  return ms;
});

const nullableDuration = z.union([z.null(), duration()]);

/** Policy fields shared by `defaults` and each job, all optional (defaults are applied later). */
const policyShape = {
  /** Concurrent runs allowed across all processes. @defaultValue `1` */
  maxInstances: z.number().int().min(1).optional().describe('Concurrent runs allowed across all processes. Default 1.'),
  /** Which of several due occurrences run after downtime. @defaultValue `'latest'` */
  coalesce: z.enum(['all', 'earliest', 'latest', 'skip']).optional().describe('Which of several due occurrences run after downtime. Default \'latest\'.'),
  /** An occurrence later than this is missed, not run; `null` = no limit. @defaultValue `60000` */
  misfireGraceTime: nullableDuration.optional().describe('An occurrence later than this is missed, not run; `null` = no limit. Default 60000.'),
  /** Most occurrences `coalesce: all` runs in one catch-up. @defaultValue `100` */
  maxCatchUp: z.number().int().min(1).optional().describe('Most occurrences `coalesce: all` runs in one catch-up. Default 100.'),
  /** Run timeout (aborts the run's signal); `null` = none. @defaultValue `null` */
  timeout: nullableDuration.optional().describe('Run timeout (aborts the run\'s signal); `null` = none. Default null.'),
  /** Retries after a failed or timed-out attempt. @defaultValue `0` */
  retries: z.number().int().min(0).optional().describe('Retries after a failed or timed-out attempt. Default 0.'),
  /** Base delay of the exponential retry backoff. @defaultValue `1000` */
  retryDelay: duration().optional().describe('Base delay of the exponential retry backoff. Default 1000.'),
  /** Random delay added to each run, clamped before the next fire time. @defaultValue `0` */
  jitter: duration().optional().describe('Random delay added to each run, clamped before the next fire time. Default 0.'),
  /** At `maxInstances`: `skip` the occurrence (event `job.skipped`) or `queue` it. @defaultValue `'skip'` */
  overlap: z.enum(['skip', 'queue']).optional().describe('At `maxInstances`: `skip` the occurrence (event `job.skipped`) or `queue` it. Default \'skip\'.'),
  /** Re-run an occurrence whose process died mid-run. @defaultValue `false` */
  recover: z.boolean().optional().describe('Re-run an occurrence whose process died mid-run. Default false.'),
  /** Run records kept per job. @defaultValue `20` */
  historyLimit: z.number().int().min(0).max(10_000).optional().describe('Run records kept per job. Default 20.'),
};

/** Job policy overrides (every field optional). */
export const jobPolicySchema = z.strictObject(policyShape);

/** `endDate` and `maxRuns`, shared by the repeating triggers (each says what its `startDate` does). */
const bounds = {
  endDate: dateValue.optional().describe('No occurrence after this instant (ISO 8601 or epoch ms).'),
  maxRuns: z.number().int().min(1).optional().describe('Stop after this many runs.'),
};

/** A YAML job's trigger: `interval`, `cron` or `date`, with that kind's fields. */
export const triggerConfigSchema = z.discriminatedUnion('type', [
  z
    .strictObject({
      type: z.literal('interval'),
      weeks: z.number().nonnegative().optional().describe('Period part; the parts add up (at least one must be positive).'),
      days: z.number().nonnegative().optional(),
      hours: z.number().nonnegative().optional(),
      minutes: z.number().nonnegative().optional(),
      seconds: z.number().nonnegative().optional(),
      milliseconds: z.number().nonnegative().optional(),
      startDate: dateValue.optional().describe('Phase anchor (ISO 8601 or epoch ms): runs fall at this instant plus whole periods, none before it. Without it the first run is one period after the job is first registered.'),
      ...bounds,
    })
    .refine((t) => (t.weeks ?? 0) + (t.days ?? 0) + (t.hours ?? 0) + (t.minutes ?? 0) + (t.seconds ?? 0) + (t.milliseconds ?? 0) > 0, {
      message: 'an interval needs a positive period: set at least one of weeks, days, hours, minutes, seconds, milliseconds',
    }),
  z
    .strictObject({
      type: z.literal('cron'),
      expression: z.string().min(1).describe('5 fields, or 6 with seconds first, or a macro like `@daily`; day-of-month and day-of-week combine with OR.'),
      /** IANA zone; the scheduler's `timezone` when absent. */
      timezone: timezoneValue.optional().describe('IANA zone; the scheduler\'s `timezone` when absent.'),
      startDate: dateValue.optional().describe('No occurrence before this instant (ISO 8601 or epoch ms): the first run is the first cron time at or after it.'),
      ...bounds,
    })
    .superRefine((t, ctx) => {
      try {
        validateCronExpression(t.expression, 'UTC');
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: ['expression'], message: error instanceof Error ? error.message : String(error) });
      }
    }),
  z.strictObject({ type: z.literal('date'), runDate: dateValue.describe('The single run (ISO 8601 or epoch ms).') }),
]);

/** One global job declared in `xcore.yaml` (titled `job`: config problems inside name its id). */
export const jobConfigSchema = z.strictObject({
  /** Job id (global jobs are owned by `config` and are not namespaced). */
  id: z.string().min(1).regex(/^[^\s]+$/, 'a job id has no spaces').describe('Job id (global jobs are owned by `config` and are not namespaced).'),
  /** `"./path/module.ts:exportName"` relative to the config file, or `"package:exportName"`. */
  func: z.string().regex(/^.+:[A-Za-z_$][\w$]*$/, 'expected "./path/to/module.ts:exportName" or "package:exportName"').describe('`"./path/module.ts:exportName"` relative to the config file, or `"package:exportName"`.'),
  trigger: triggerConfigSchema.describe('When the job runs: `type: interval`, `cron` or `date` with that kind\'s fields.'),
  /** Arguments passed to every run as `ctx.args`. @defaultValue `[]` */
  args: z.array(z.unknown()).default([]).describe('Arguments passed to every run as `ctx.args`. Default [].'),
  ...policyShape,
}).meta({ title: 'job' });

/**
 * Schema of `services.scheduler`.
 *
 * @example
 * ```yaml
 * services:
 *   scheduler:
 *     timezone: Europe/Berlin
 *     defaults: { timeout: 30s, retries: 2 }
 *     jobs:
 *       - id: nightly-report
 *         func: ./jobs/report.ts:nightly
 *         trigger: { type: cron, expression: "0 3 * * *" }
 * ```
 */
export const schedulerConfigSchema = z
  .strictObject({
    /** Create the scheduler at all. @defaultValue `true` */
    enabled: z.boolean().default(true).describe('Create the scheduler at all. Default true.'),
    /** Where schedules live: this process (`memory`) or a shared Redis (`redis`). @defaultValue `'memory'` */
    backend: z.enum(['memory', 'redis']).default('memory').describe('Where schedules live: this process (`memory`) or a shared Redis (`redis`). Default \'memory\'.'),
    /** Redis URL; with `backend: redis` give this or `nodes`. */
    url: z.string().min(1).optional().describe('Redis URL; with `backend: redis` give this or `nodes`.'),
    /**
     * Seed nodes of a Redis Cluster (`host:port` or `redis://host:port`), instead of `url`.
     *
     * @remarks
     * Every key of a prefix carries the hash tag `{prefix}`, so one app's schedules live in one
     * slot; apps with different prefixes spread over the cluster.
     */
    nodes: z.array(z.string().min(1)).min(1).optional().describe('Seed nodes of a Redis Cluster (`host:port` or `redis://host:port`), instead of `url`; one app\'s keys live in one slot.'),
    /** Key prefix in the shared store. @defaultValue `'xcore'` */
    prefix: z.string().min(1).default('xcore').describe('Key prefix in the shared store. Default \'xcore\'.'),
    /** IANA timezone for cron jobs that name none. @defaultValue `'UTC'` */
    timezone: timezoneValue.default('UTC').describe('IANA timezone for cron jobs that name none. Default \'UTC\'.'),
    /** Policy defaults for every job. @defaultValue see each field */
    defaults: jobPolicySchema.prefault({}).describe('Policy defaults for every job.'),
    /** Global jobs. @defaultValue `[]` */
    jobs: z.array(jobConfigSchema).default([]).describe('Global jobs. Default [].'),
    /** Lease of a claim and of a run slot; a dead process frees them after this. @defaultValue `30000` */
    leaseMs: duration().default(30_000).describe('Lease of a claim and of a run slot; a dead process frees them after this. Default 30000.'),
    /**
     * Longest sleep of the runner between store checks. @defaultValue `30000`
     *
     * @remarks
     * Change hints wake the runner early, but hints can be lost (another process's publish while
     * Redis was away), so the sleep is capped; 30 s (croner's `maxDelay` too) also keeps timers far
     * below the 2^31-1 ms limit of `setTimeout`.
     */
    pollMs: duration().default(30_000).describe('Longest sleep of the runner between store checks (change hints can be lost). Default 30000.'),
    /**
     * Claim window: a process wakes at most once per window, so one claim takes every schedule that
     * came due in it. @defaultValue `10` with `backend: redis`, `0` with `backend: memory`
     *
     * @remarks
     * On Redis it is what keeps a busy app under one round trip per firing (1k schedules a second:
     * 0.13 commands per firing with one process, 10 ms window), at the cost of up to one window of
     * lateness; `0` wakes at each due time.
     */
    /**
     * The durable run log: every finished run written to a backend (`postgres`) and queryable.
     * Absent: only the bounded per-job history. See `@xcore/runlog-postgres`.
     *
     * @remarks Validated now; the scheduler's run path does not write to it yet (see that package's README, "Wiring").
     */
    runLog: runLogConfigSchema.optional().describe('Durable, queryable log of every finished run, in a backend package loaded only when set. Absent: only the bounded per-job history. Validated, not yet written to by the run path (see packages/runlog-postgres).'),
    claimWindowMs: duration().optional().describe('Wake at most once per this window and claim all that came due in it (fewer Redis round trips, up to this much lateness). Default 10 with backend redis, 0 with memory. Under load the step shrinks so one wake claims about 16 schedules, so a busy process is not held to the whole window.'),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.backend === 'redis' && cfg.url === undefined && cfg.nodes === undefined) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'backend "redis" needs `url` (e.g. redis://127.0.0.1:6379) or, for a Redis Cluster, `nodes`' });
    }
    if (cfg.url !== undefined && cfg.nodes !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['nodes'], message: 'give `url` (one Redis) or `nodes` (a Redis Cluster), not both' });
    }
    const seen = new Set<string>();
    cfg.jobs.forEach((job, i) => {
      if (seen.has(job.id)) ctx.addIssue({ code: 'custom', path: ['jobs', i, 'id'], message: `duplicate job id "${job.id}"` });
      seen.add(job.id);
    });
  })
  .prefault({});

/** The validated `services.scheduler` section. */
export type SchedulerConfig = z.output<typeof schedulerConfigSchema>;
/** One validated YAML job. */
export type JobConfig = z.output<typeof jobConfigSchema>;
/** Policy overrides as written in config or `addJob` options (durations already in ms). */
export type JobPolicyConfig = z.output<typeof jobPolicySchema>;
